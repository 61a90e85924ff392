package de.pausenhof.app.ui

import android.app.AlertDialog
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.os.Bundle
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
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.OlderPosts
import de.pausenhof.ffi.PostItem
import de.pausenhof.ffi.PostSendState
import de.pausenhof.ffi.Timeline
import de.pausenhof.ffi.TimelineOptions
import de.pausenhof.ffi.TimelineTarget
import java.util.Locale
import kotlinx.coroutines.flow.collectLatest

/**
 * One conversation: the core's timeline items (day separators, the
 * new-messages line, system sentences, posts with their send state; older
 * ones load when the top is reached), who is typing, and the composer. A
 * message is handed to the core's outbox and shows at once, pending until
 * the server has it.
 */
class ChannelActivity : Screen() {
    private lateinit var channelId: String
    private lateinit var timeline: ListView
    private lateinit var adapter: ItemsAdapter
    private var items: Timeline? = null
    private lateinit var composer: EditText
    private lateinit var drafting: Composer
    private lateinit var typing: TextView
    private lateinit var olderButton: Button
    private var older: OlderPosts = OlderPosts.CACHED
    private var loadingOlder = false
    private var muted = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        channelId = intent.getStringExtra(EXTRA_CHANNEL_ID) ?: return finish()
        title = intent.getStringExtra(EXTRA_CHANNEL_NAME).orEmpty()
        adapter = ItemsAdapter(this)
        olderButton = Button(this).apply {
            setText(R.string.load_older)
            setOnClickListener { loadOlder() }
        }
        timeline = ListView(this).apply {
            id = R.id.channel_timeline
            addHeaderView(olderButton, null, false)
            adapter = this@ChannelActivity.adapter
            transcriptMode = AbsListView.TRANSCRIPT_MODE_NORMAL
            isStackFromBottom = true
            // The whole row opens the thread: the reply count alone is too small a target to hit.
            setOnItemClickListener { _, _, position, _ ->
                val post = this@ChannelActivity.adapter.post(position - headerViewsCount)
                if (post != null && post.sendState is PostSendState.Sent && !post.deleted) openThread(post)
            }
            setOnItemLongClickListener { _, _, position, _ ->
                val post = this@ChannelActivity.adapter.post(position - headerViewsCount)
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
        typing = TextView(this).apply {
            id = R.id.channel_typing
            accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
            visibility = View.GONE
        }
        composer = EditText(this).apply {
            id = R.id.channel_composer
            setHint(R.string.composer_hint)
            minHeight = (48 * resources.displayMetrics.density).toInt()
        }
        drafting = Composer(this, scope, { client }, composer, channelId, "")
        val attach = Button(this).apply {
            id = R.id.channel_attach
            text = "📎"
            contentDescription = getString(R.string.attach_button)
            setOnClickListener { drafting.pickFiles() }
        }
        val send = Button(this).apply {
            id = R.id.channel_send
            setText(R.string.composer_send)
            setOnClickListener { drafting.send() }
        }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                addView(timeline, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
                addView(typing)
                addView(drafting.suggestions)
                addView(drafting.attachments)
                addView(
                    LinearLayout(this@ChannelActivity).apply {
                        orientation = LinearLayout.HORIZONTAL
                        addView(attach)
                        addView(composer, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                        addView(send)
                    },
                )
            },
        )
        launch {
            if (!signedInAndLive()) return@launch
            drafting.restoreDraft()
            launch { watchTyping() }
            launch { runCatching { client.markChannelViewed(channelId) } }
            val opened = try {
                client.openTimeline(
                    TimelineTarget.Channel(channelId),
                    TimelineOptions(timeZone = null, locale = Locale.getDefault().toLanguageTag(), pageSize = PAGE_SIZE),
                )
            } catch (failure: ClientException) {
                return@launch Toast.makeText(this@ChannelActivity, describe(failure), Toast.LENGTH_LONG).show()
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

    override fun onDestroy() {
        items?.close()
        items = null
        super.onDestroy()
    }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        if (!drafting.onActivityResult(requestCode, resultCode, data)) {
            super.onActivityResult(requestCode, resultCode, data)
        }
    }

    override fun onPause() {
        if (::drafting.isInitialized) drafting.saveDraft()
        super.onPause()
    }

    override fun onResume() {
        super.onResume()
        // Also after the info screen, which may have changed it.
        if (::channelId.isInitialized) launch { refreshMuted() }
    }

    private suspend fun refreshMuted() {
        muted = try {
            client.channelInfo(channelId).muted
        } catch (failure: ClientException) {
            return
        }
        invalidateOptionsMenu()
    }

    // The school's netiquette wants muting and leaving one tap away, not behind the info screen.
    override fun onCreateOptionsMenu(menu: Menu): Boolean {
        val mute = if (muted) R.string.channel_unmute else R.string.channel_mute
        menu.add(Menu.NONE, R.id.menu_channel_mute, Menu.NONE, mute)
            .setShowAsAction(MenuItem.SHOW_AS_ACTION_IF_ROOM)
        menu.add(Menu.NONE, R.id.menu_channel_leave, Menu.NONE, R.string.channel_leave)
        menu.add(Menu.NONE, R.id.menu_channel_info, Menu.NONE, R.string.channel_info)
        return true
    }

    override fun onPrepareOptionsMenu(menu: Menu): Boolean {
        menu.findItem(R.id.menu_channel_mute)?.setTitle(if (muted) R.string.channel_unmute else R.string.channel_mute)
        return true
    }

    override fun onOptionsItemSelected(item: MenuItem): Boolean = when (item.itemId) {
        R.id.menu_channel_mute -> {
            launchReporting {
                client.setChannelMuted(channelId, !muted)
                refreshMuted()
            }
            true
        }
        R.id.menu_channel_leave -> {
            launch { leaveChannel(client, channelId) }
            true
        }
        R.id.menu_channel_info -> {
            startActivity(
                Intent(this, ChannelInfoActivity::class.java).putExtra(ChannelInfoActivity.EXTRA_CHANNEL_ID, channelId),
            )
            true
        }
        else -> super.onOptionsItemSelected(item)
    }

    private fun loadOlder() {
        if (loadingOlder) return
        loadingOlder = true
        launch {
            try {
                // Through the items' own paging, so the new page arrives as a diff.
                items?.paginateBackwards() ?: client.loadOlder(channelId)
            } catch (failure: ClientException) {
                if (failure !is ClientException.Offline) {
                    Toast.makeText(this@ChannelActivity, describe(failure), Toast.LENGTH_LONG).show()
                }
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
        launch {
            typing.text = if (others.size == 1) {
                val person = runCatching { client.person(others.first()) }.getOrNull()
                getString(R.string.typing_one, person?.displayName ?: "…")
            } else {
                getString(R.string.typing_many)
            }
        }
    }

    /** The long-press menu: what can be done with this post. */
    private fun showActions(post: PostItem) {
        val state = post.sendState
        val actions = buildList<Pair<Int, () -> Unit>> {
            if (state is PostSendState.Failed) {
                if (state.canRetry) add(R.string.action_retry to { launchReporting { client.retrySend(post.postId) } })
                add(R.string.action_discard to { launchReporting { client.discardSend(post.postId) } })
            }
            if (state is PostSendState.Sent && !post.deleted) {
                add(R.string.action_reply to { openThread(post) })
                add(R.string.action_react to { launchReporting { client.addReaction(post.postId, "+1") } })
                add(R.string.action_copy to { copy(post.plainText) })
                add(R.string.action_mark_unread to { launchReporting { client.markUnreadFrom(post.postId) } })
                if (post.mine) add(R.string.action_delete to { launchReporting { client.deletePost(post.postId) } })
            }
        }
        if (actions.isEmpty()) return
        AlertDialog.Builder(this)
            .setItems(actions.map { getString(it.first) }.toTypedArray()) { _, which -> actions[which].second() }
            .show()
    }

    private fun openThread(post: PostItem) {
        startActivity(
            Intent(this, ThreadActivity::class.java)
                .putExtra(ThreadActivity.EXTRA_CHANNEL_ID, channelId)
                .putExtra(ThreadActivity.EXTRA_ROOT_ID, post.rootId.ifEmpty { post.postId }),
        )
    }

    private fun launchReporting(call: suspend () -> Unit) {
        launch {
            try {
                call()
            } catch (failure: ClientException) {
                Toast.makeText(this@ChannelActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    private fun copy(text: String) {
        systemService<ClipboardManager>(Context.CLIPBOARD_SERVICE).setPrimaryClip(ClipData.newPlainText(null, text))
        Toast.makeText(this, R.string.copied, Toast.LENGTH_SHORT).show()
    }

    companion object {
        const val EXTRA_CHANNEL_ID = "de.pausenhof.app.CHANNEL_ID"
        const val EXTRA_CHANNEL_NAME = "de.pausenhof.app.CHANNEL_NAME"
        private const val PAGE_SIZE = 50u
    }
}
