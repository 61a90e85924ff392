package de.pausenhof.client

import de.pausenhof.ffi.ChannelListListener
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ConnectionState
import de.pausenhof.ffi.ConnectionStateListener
import de.pausenhof.ffi.FollowedThreads
import de.pausenhof.ffi.FollowedThreadsDiff
import de.pausenhof.ffi.FollowedThreadsListener
import de.pausenhof.ffi.TypingListener
import de.pausenhof.ffi.SessionState
import de.pausenhof.ffi.SessionStateListener
import de.pausenhof.ffi.SidebarSection
import de.pausenhof.ffi.TaskHandle
import de.pausenhof.ffi.Thread
import de.pausenhof.ffi.ThreadListener
import de.pausenhof.ffi.TimelineListener
import de.pausenhof.ffi.TimelineWindow
import de.pausenhof.ffi.Notification
import de.pausenhof.ffi.NotificationListener
import de.pausenhof.ffi.SidebarSectionOp
import de.pausenhof.ffi.ThreadDiff
import de.pausenhof.ffi.TimelineDiff
import de.pausenhof.ffi.Timeline
import de.pausenhof.ffi.TimelineItems
import de.pausenhof.ffi.TimelineItemsDiff
import de.pausenhof.ffi.TimelineItemsListener
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.conflate
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.stateIn
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/**
 * Turns a core subscription into a cold [Flow]: collecting subscribes,
 * cancelling the collector cancels and releases the [TaskHandle].
 *
 * Listener calls arrive on the core's threads and must not block them, so
 * values are handed over without suspending. [conflate] keeps only the
 * newest value (fine for states and snapshots); otherwise every value is
 * buffered (diffs must not be lost).
 */
internal fun <T> subscriptionFlow(
    conflate: Boolean,
    subscribe: (deliver: (T) -> Unit, fail: (ClientException) -> Unit) -> TaskHandle,
): Flow<T> = callbackFlow {
    val handle = subscribe({ value -> trySend(value) }, { error -> close(error) })
    awaitClose {
        handle.cancel()
        handle.close()
    }
}.buffer(if (conflate) Channel.CONFLATED else Channel.UNLIMITED)

/** The session state now, then every change (signed in, expired, signed out). */
fun Client.sessionStates(): Flow<SessionState> = subscriptionFlow(conflate = true) { deliver, _ ->
    subscribeSessionState(object : SessionStateListener {
        override fun onSessionState(state: SessionState) = deliver(state)
    })
}

/** One delivery of a store subscription: the whole value first, then diffs. */
sealed interface Update<out S, out D> {
    data class Snapshot<S>(val value: S) : Update<S, Nothing>
    data class Diff<D>(val diff: D) : Update<Nothing, D>
}

/**
 * Keeps the current value by applying each diff to the value before it.
 * Every update is applied (none is dropped); only the resulting values are
 * conflated for slow collectors.
 */
fun <S, D> Flow<Update<S, D>>.applyingDiffs(apply: S.(D) -> S): Flow<S> = flow {
    var current: S? = null
    collect { update ->
        val next = when (update) {
            is Update.Snapshot -> update.value
            is Update.Diff -> (current ?: error("a diff arrived before the first snapshot")).apply(update.diff)
        }
        current = next
        emit(next)
    }
}.conflate()

/**
 * A team's sidebar as the core delivers it: the cached sections, then a
 * diff per change, for adapters that animate changes. A failing read ends
 * the flow with the [ClientException].
 */
fun Client.channelListUpdates(teamId: String): Flow<Update<List<SidebarSection>, List<SidebarSectionOp>>> =
    subscriptionFlow(conflate = false) { deliver, fail ->
        subscribeChannelList(teamId, object : ChannelListListener {
            override fun onChannelList(sections: List<SidebarSection>) = deliver(Update.Snapshot(sections))
            override fun onChannelListDiff(operations: List<SidebarSectionOp>) = deliver(Update.Diff(operations))
            override fun onError(error: ClientException) = fail(error)
        })
    }

/** A team's channel list from the cache now, then the current list after every change. */
fun Client.observeChannelList(teamId: String): Flow<List<SidebarSection>> =
    channelListUpdates(teamId).applyingDiffs { applying(it) }

/** The channel list kept as a [StateFlow] in [scope]; null until the first read. */
fun Client.channelListState(scope: CoroutineScope, teamId: String): StateFlow<List<SidebarSection>?> =
    observeChannelList(teamId).stateIn(scope, SharingStarted.Eagerly, null)

/** The newest [limit] posts of a channel: whole, then a diff per change. */
fun Client.timelineUpdates(channelId: String, limit: UInt = 50u): Flow<Update<TimelineWindow, TimelineDiff>> =
    subscriptionFlow(conflate = false) { deliver, fail ->
        subscribeTimeline(channelId, limit, object : TimelineListener {
            override fun onTimeline(window: TimelineWindow) = deliver(Update.Snapshot(window))
            override fun onTimelineDiff(diff: TimelineDiff) = deliver(Update.Diff(diff))
            override fun onError(error: ClientException) = fail(error)
        })
    }

/** The newest [limit] posts of a channel now, then after every change. */
fun Client.observeTimeline(channelId: String, limit: UInt = 50u): Flow<TimelineWindow> =
    timelineUpdates(channelId, limit).applyingDiffs { applying(it) }

/** The timeline kept as a [StateFlow] in [scope]; null until the first read. */
fun Client.timelineState(scope: CoroutineScope, channelId: String, limit: UInt = 50u): StateFlow<TimelineWindow?> =
    observeTimeline(channelId, limit).stateIn(scope, SharingStarted.Eagerly, null)

/** Timeline items: whole, then a diff per change and per page loaded backwards. */
fun Timeline.itemUpdates(): Flow<Update<TimelineItems, TimelineItemsDiff>> =
    subscriptionFlow(conflate = false) { deliver, fail ->
        subscribe(object : TimelineItemsListener {
            override fun onItems(items: TimelineItems) = deliver(Update.Snapshot(items))
            override fun onItemsDiff(diff: TimelineItemsDiff) = deliver(Update.Diff(diff))
            override fun onError(error: ClientException) = fail(error)
        })
    }

/** Timeline items now, then after every change. */
fun Timeline.observeItems(): Flow<TimelineItems> = itemUpdates().applyingDiffs { applying(it) }

/** A thread: whole, then a diff per change. */
fun Client.threadUpdates(rootId: String): Flow<Update<Thread, ThreadDiff>> =
    subscriptionFlow(conflate = false) { deliver, fail ->
        subscribeThread(rootId, object : ThreadListener {
            override fun onThread(thread: Thread) = deliver(Update.Snapshot(thread))
            override fun onThreadDiff(diff: ThreadDiff) = deliver(Update.Diff(diff))
            override fun onError(error: ClientException) = fail(error)
        })
    }

/** A thread now, then after every change. */
fun Client.observeThread(rootId: String): Flow<Thread> =
    threadUpdates(rootId).applyingDiffs { applying(it) }

/** A team's followed threads: whole, then a diff per change. */
fun Client.followedThreadUpdates(teamId: String): Flow<Update<FollowedThreads, FollowedThreadsDiff>> =
    subscriptionFlow(conflate = false) { deliver, fail ->
        subscribeFollowedThreads(teamId, object : FollowedThreadsListener {
            override fun onFollowedThreads(threads: FollowedThreads) = deliver(Update.Snapshot(threads))
            override fun onFollowedThreadsDiff(diff: FollowedThreadsDiff) = deliver(Update.Diff(diff))
            override fun onError(error: ClientException) = fail(error)
        })
    }

/** A team's followed threads now, then after every change. */
fun Client.observeFollowedThreads(teamId: String): Flow<FollowedThreads> =
    followedThreadUpdates(teamId).applyingDiffs { applying(it) }

/** The websocket's state now, then every change. Needs `startRealtime()`. */
fun Client.connectionStates(): Flow<ConnectionState> = subscriptionFlow(conflate = true) { deliver, _ ->
    subscribeConnectionState(object : ConnectionStateListener {
        override fun onConnectionState(state: ConnectionState) = deliver(state)
    })
}

/** Who is typing in a channel (`rootId` empty) or thread, now and on change. */
fun Client.typingUsers(channelId: String, rootId: String = ""): Flow<List<String>> =
    subscriptionFlow(conflate = true) { deliver, _ ->
        subscribeTyping(channelId, rootId, object : TypingListener {
            override fun onTyping(userIds: List<String>) = deliver(userIds)
        })
    }

/**
 * Notifications for posts that arrive over the websocket while the app is
 * in the background (needs consent and `startRealtime()`). None is dropped.
 */
fun Client.backgroundNotifications(): Flow<Notification> = subscriptionFlow(conflate = false) { deliver, _ ->
    subscribeBackgroundNotifications(object : NotificationListener {
        override fun onNotification(notification: Notification) = deliver(notification)
    })
}
