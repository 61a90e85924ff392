package de.pausenhof.app.ui

import android.app.AlertDialog
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.view.Menu
import android.view.MenuItem
import android.view.View
import android.widget.AbsListView
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.app.systemService
import de.pausenhof.client.observeItems
import de.pausenhof.client.typingUsers
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.OlderPosts
import de.pausenhof.ffi.PostItem
import de.pausenhof.ffi.PostSendState
import de.pausenhof.ffi.Timeline
import de.pausenhof.ffi.TimelineOptions
import de.pausenhof.ffi.TimelineTarget
import java.util.Locale
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.collectLatest
import kotlinx.coroutines.launch

/** Where a conversation is shown: a screen of its own on a phone, the right pane of Home on a tablet. */
interface ConversationHost {
    /** A slash command moved the user to another channel. */
    fun showChannel(channelId: String, name: String)

    /** The user left the shown channel: it has nothing left to show. */
    fun channelLeft()
}

/**
 * One conversation: the core's timeline items (day separators, the
 * new-messages line, system sentences, posts with their send state; older
 * ones load when the top is reached), who is typing, and the composer. A
 * message is handed to the core's outbox and shows at once, pending until
 * the server has it. Mute, leave and the info screen are in the menu
 * the host shows: the school's netiquette wants them one tap away.
 */
class ConversationPane(
    private val activity: Screen,
    private val host: ConversationHost,
    val channelId: String,
) {
    private val client: Client get() = activity.client
    private val scope = CoroutineScope(activity.scope.coroutineContext + SupervisorJob(activity.scope.coroutineContext[Job]))
    private val adapter = ItemsAdapter(activity)
    private var items: Timeline? = null
    private var older: OlderPosts = OlderPosts.CACHED
    private var loadingOlder = false
    private var muted = false

    private val olderButton = Button(activity).apply {
        setText(R.string.load_older)
        setOnClickListener { loadOlder() }
    }
    private val timeline = ListView(activity).apply {
        id = R.id.channel_timeline
        addHeaderView(olderButton, null, false)
        adapter = this@ConversationPane.adapter
        transcriptMode = AbsListView.TRANSCRIPT_MODE_NORMAL
        isStackFromBottom = true
        // The whole row opens the thread: the reply count alone is too small a target to hit.
        setOnItemClickListener { _, _, position, _ ->
            val post = this@ConversationPane.adapter.post(position - headerViewsCount)
            if (post != null && post.sendState is PostSendState.Sent && !post.deleted) openThread(post)
        }
        setOnItemLongClickListener { _, _, position, _ ->
            val post = this@ConversationPane.adapter.post(position - headerViewsCount)
            post?.let(::showActions)
            post != null
        }
        setOnScrollListener(object : AbsListView.OnScrollListener {
            override fun onScrollStateChanged(view: AbsListView, scrollState: Int) = Unit
            override fun onScroll(view: AbsListView, first: Int, visible: Int, total: Int) {
                if (first == 0 && total > 1 && older == OlderPosts.ON_SERVER) loadOlder()
            }
        })
    }
    private val typing = TextView(activity).apply {
        id = R.id.channel_typing
        accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
        visibility = View.GONE
    }
    private val field = EditText(activity).apply {
        id = R.id.channel_composer
        setHint(R.string.composer_hint)
        minHeight = (48 * resources.displayMetrics.density).toInt()
    }
    private val drafting = Composer(activity, scope, { client }, field, channelId, "") { id ->
        host.showChannel(id, "")
    }

    val view: View = LinearLayout(activity).apply {
        orientation = LinearLayout.VERTICAL
        addView(timeline, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
        addView(typing)
        addView(drafting.suggestions)
        addView(drafting.attachments)
        addView(
            LinearLayout(activity).apply {
                orientation = LinearLayout.HORIZONTAL
                addView(
                    Button(activity).apply {
                        id = R.id.channel_attach
                        text = "📎"
                        contentDescription = activity.getString(R.string.attach_button)
                        setOnClickListener { drafting.pickFiles() }
                    },
                )
                addView(field, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                addView(
                    Button(activity).apply {
                        id = R.id.channel_send
                        setText(R.string.composer_send)
                        setOnClickListener { drafting.send() }
                    },
                )
            },
        )
    }

    /** Loads the conversation; the account must be signed in and live. */
    fun start() {
        scope.launch {
            drafting.restoreDraft()
            launch { watchTyping() }
            launch { runCatching { client.markChannelViewed(channelId) } }
            launch { refreshMuted() }
            val opened = try {
                client.openTimeline(
                    TimelineTarget.Channel(channelId),
                    TimelineOptions(timeZone = null, locale = Locale.getDefault().toLanguageTag(), pageSize = PAGE_SIZE),
                )
            } catch (failure: ClientException) {
                return@launch say(activity.describe(failure))
            }
            items = opened
            opened.observeItems().collectLatest { shown ->
                older = shown.older
                olderButton.visibility = if (older == OlderPosts.NONE) View.GONE else View.VISIBLE
                adapter.show(shown.items)
                if (shown.neverLoaded) loadOlder()
            }
        }
    }

    /** The host is paused: what is typed is kept as the draft. */
    fun pause() = drafting.saveDraft()

    /** The host is shown again; the info screen may have changed the mute. */
    fun resume() {
        scope.launch { refreshMuted() }
    }

    fun close() {
        drafting.saveDraft()
        scope.cancel()
        items?.close()
        items = null
    }

    /** The file picker's answer, which arrives at the host. */
    fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?): Boolean =
        drafting.onActivityResult(requestCode, resultCode, data)

    fun addMenuItems(menu: Menu) {
        menu.add(Menu.NONE, R.id.menu_channel_mute, Menu.NONE, if (muted) R.string.channel_unmute else R.string.channel_mute)
            .setShowAsAction(MenuItem.SHOW_AS_ACTION_IF_ROOM)
        menu.add(Menu.NONE, R.id.menu_channel_leave, Menu.NONE, R.string.channel_leave)
        menu.add(Menu.NONE, R.id.menu_channel_info, Menu.NONE, R.string.channel_info)
    }

    fun prepareMenu(menu: Menu) {
        menu.findItem(R.id.menu_channel_mute)?.setTitle(if (muted) R.string.channel_unmute else R.string.channel_mute)
    }

    /** True when [item] was one of the conversation's. */
    fun onMenuItem(item: MenuItem): Boolean {
        when (item.itemId) {
            R.id.menu_channel_mute -> reporting {
                client.setChannelMuted(channelId, !muted)
                refreshMuted()
            }
            R.id.menu_channel_leave -> scope.launch {
                if (activity.leaveChannel(client, channelId)) host.channelLeft()
            }
            R.id.menu_channel_info -> activity.startActivity(
                Intent(activity, ChannelInfoActivity::class.java).putExtra(ChannelInfoActivity.EXTRA_CHANNEL_ID, channelId),
            )
            else -> return false
        }
        return true
    }

    private suspend fun refreshMuted() {
        muted = try {
            client.channelInfo(channelId).muted
        } catch (failure: ClientException) {
            return
        }
        activity.invalidateOptionsMenu()
    }

    private fun loadOlder() {
        if (loadingOlder) return
        loadingOlder = true
        scope.launch {
            try {
                // Through the items' own paging, so the new page arrives as a diff.
                items?.paginateBackwards() ?: client.loadOlder(channelId)
            } catch (failure: ClientException) {
                if (failure !is ClientException.Offline) say(activity.describe(failure))
            } finally {
                loadingOlder = false
            }
        }
    }

    private suspend fun watchTyping() {
        try {
            client.typingUsers(channelId).collectLatest(::showTyping)
        } catch (failure: ClientException) {
            // No live connection: nobody can be seen typing.
        }
    }

    private fun showTyping(userIds: List<String>) {
        val others = userIds.filter { it != client.currentUser()?.id }
        typing.visibility = if (others.isEmpty()) View.GONE else View.VISIBLE
        if (others.isEmpty()) return
        scope.launch {
            typing.text = if (others.size == 1) {
                val person = runCatching { client.person(others.first()) }.getOrNull()
                activity.getString(R.string.typing_one, person?.displayName ?: "…")
            } else {
                activity.getString(R.string.typing_many)
            }
        }
    }

    /** The long-press menu: what can be done with this post. */
    private fun showActions(post: PostItem) {
        val state = post.sendState
        val actions = buildList<Pair<Int, () -> Unit>> {
            if (state is PostSendState.Failed) {
                if (state.canRetry) add(R.string.action_retry to { reporting { client.retrySend(post.postId) } })
                add(R.string.action_discard to { reporting { client.discardSend(post.postId) } })
            }
            if (state is PostSendState.Sent && !post.deleted) {
                add(R.string.action_reply to { openThread(post) })
                add(R.string.action_react to { reporting { client.addReaction(post.postId, "+1") } })
                add(R.string.action_copy to { copy(post.plainText) })
                add(R.string.action_mark_unread to { reporting { client.markUnreadFrom(post.postId) } })
                if (post.mine) add(R.string.action_delete to { reporting { client.deletePost(post.postId) } })
            }
        }
        if (actions.isEmpty()) return
        AlertDialog.Builder(activity)
            .setItems(actions.map { activity.getString(it.first) }.toTypedArray()) { _, which -> actions[which].second() }
            .show()
    }

    private fun openThread(post: PostItem) {
        activity.startActivity(
            Intent(activity, ThreadActivity::class.java)
                .putExtra(ThreadActivity.EXTRA_CHANNEL_ID, channelId)
                .putExtra(ThreadActivity.EXTRA_ROOT_ID, post.rootId.ifEmpty { post.postId }),
        )
    }

    private fun reporting(call: suspend () -> Unit) {
        scope.launch {
            try {
                call()
            } catch (failure: ClientException) {
                say(activity.describe(failure))
            }
        }
    }

    private fun say(message: String) = Toast.makeText(activity, message, Toast.LENGTH_LONG).show()

    private fun copy(text: String) {
        activity.systemService<ClipboardManager>(Context.CLIPBOARD_SERVICE).setPrimaryClip(ClipData.newPlainText(null, text))
        Toast.makeText(activity, R.string.copied, Toast.LENGTH_SHORT).show()
    }

    private companion object {
        const val PAGE_SIZE = 50u
    }
}
