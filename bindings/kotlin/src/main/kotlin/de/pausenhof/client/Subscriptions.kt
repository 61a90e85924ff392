package de.pausenhof.client

import de.pausenhof.ffi.ChannelListListener
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ConnectionState
import de.pausenhof.ffi.ConnectionStateListener
import de.pausenhof.ffi.TypingListener
import de.pausenhof.ffi.SessionState
import de.pausenhof.ffi.SessionStateListener
import de.pausenhof.ffi.SidebarSection
import de.pausenhof.ffi.TaskHandle
import de.pausenhof.ffi.Thread
import de.pausenhof.ffi.ThreadListener
import de.pausenhof.ffi.TimelineListener
import de.pausenhof.ffi.TimelineWindow
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

/**
 * A team's channel list from the cache now, then after every change. A
 * failing read ends the flow with the [ClientException].
 */
fun Client.observeChannelList(teamId: String): Flow<List<SidebarSection>> =
    subscriptionFlow(conflate = true) { deliver, fail ->
        subscribeChannelList(teamId, object : ChannelListListener {
            override fun onChannelList(sections: List<SidebarSection>) = deliver(sections)
            override fun onError(error: ClientException) = fail(error)
        })
    }

/** The newest [limit] posts of a channel now, then after every change. */
fun Client.observeTimeline(channelId: String, limit: UInt = 50u): Flow<TimelineWindow> =
    subscriptionFlow(conflate = true) { deliver, fail ->
        subscribeTimeline(channelId, limit, object : TimelineListener {
            override fun onTimeline(window: TimelineWindow) = deliver(window)
            override fun onError(error: ClientException) = fail(error)
        })
    }

/** A thread now, then after every change. */
fun Client.observeThread(rootId: String): Flow<Thread> =
    subscriptionFlow(conflate = true) { deliver, fail ->
        subscribeThread(rootId, object : ThreadListener {
            override fun onThread(thread: Thread) = deliver(thread)
            override fun onError(error: ClientException) = fail(error)
        })
    }

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
