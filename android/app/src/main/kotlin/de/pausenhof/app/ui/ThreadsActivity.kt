package de.pausenhof.app.ui

import android.app.AlertDialog
import android.content.Intent
import android.os.Bundle
import android.view.View
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.client.observeFollowedThreads
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.FollowedThread
import kotlinx.coroutines.flow.collectLatest

/**
 * A team's followed threads (collapsed reply threads), newest reply first,
 * with their unread replies and mentions. Tapping one opens it and marks
 * it read; a long press stops following it. The cached list shows at once
 * and offline; the server's is fetched once when the screen opens.
 */
class ThreadsActivity : Screen() {
    private lateinit var teamId: String
    private lateinit var adapter: TwoLineAdapter<FollowedThread>
    private lateinit var summary: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        teamId = intent.getStringExtra(EXTRA_TEAM_ID) ?: return finish()
        setTitle(R.string.threads_title)
        val padding = (16 * resources.displayMetrics.density).toInt()
        summary = TextView(this).apply {
            id = R.id.threads_summary
            setPadding(padding, padding / 2, padding, padding / 2)
        }
        adapter = TwoLineAdapter(this, title = ::rowTitle, subtitle = ::rowSubtitle)
        val list = ListView(this).apply {
            id = R.id.threads_list
            adapter = this@ThreadsActivity.adapter
            setOnItemClickListener { _, _, position, _ -> open(this@ThreadsActivity.adapter.getItem(position)) }
            setOnItemLongClickListener { _, _, position, _ ->
                confirmUnfollow(this@ThreadsActivity.adapter.getItem(position))
                true
            }
        }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                addView(summary)
                addView(list, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
            },
        )
        launch {
            if (!signedInAndLive()) return@launch
            client.observeFollowedThreads(teamId).collectLatest { shown ->
                adapter.show(shown.threads)
                summary.text = when {
                    shown.threads.isEmpty() -> getString(R.string.threads_none)
                    shown.unreadThreads == 0L -> getString(R.string.threads_all_read)
                    else -> resources.getQuantityString(
                        R.plurals.threads_unread,
                        shown.unreadThreads.toInt(),
                        shown.unreadThreads.toInt(),
                    )
                }
                summary.visibility = View.VISIBLE
            }
        }
        launch {
            try {
                client.loadFollowedThreads(teamId)
            } catch (failure: ClientException) {
                report(failure)
            }
        }
    }

    private fun rowTitle(thread: FollowedThread): String {
        val mentions = if (thread.unreadMentions > 0) " · @${thread.unreadMentions}" else ""
        return "${thread.root.authorName} · ${thread.channelName}$mentions"
    }

    private fun rowSubtitle(thread: FollowedThread): String {
        val replies = resources.getQuantityString(
            R.plurals.threads_replies,
            thread.replyCount.toInt(),
            thread.replyCount.toInt(),
        )
        val unread = if (thread.unreadReplies > 0) {
            " · " + resources.getQuantityString(
                R.plurals.threads_new_replies,
                thread.unreadReplies.toInt(),
                thread.unreadReplies.toInt(),
            )
        } else {
            ""
        }
        return "${thread.preview}\n$replies$unread"
    }

    private fun open(thread: FollowedThread) {
        startActivity(
            Intent(this, ThreadActivity::class.java)
                .putExtra(ThreadActivity.EXTRA_CHANNEL_ID, thread.root.channelId)
                .putExtra(ThreadActivity.EXTRA_ROOT_ID, thread.root.id),
        )
        if (thread.unreadReplies == 0L && thread.unreadMentions == 0L) return
        launch {
            try {
                client.markThreadRead(thread.root.id)
            } catch (failure: ClientException) {
                report(failure)
            }
        }
    }

    private fun confirmUnfollow(thread: FollowedThread) {
        AlertDialog.Builder(this)
            .setTitle(thread.preview)
            .setItems(arrayOf(getString(R.string.threads_unfollow))) { _, _ ->
                launch {
                    try {
                        client.setThreadFollowing(thread.root.id, false)
                    } catch (failure: ClientException) {
                        report(failure)
                    }
                }
            }
            .show()
    }

    private fun report(failure: ClientException) {
        // Offline the cached list is all there is; that is no news.
        if (failure is ClientException.Offline || failure is ClientException.Network) return
        Toast.makeText(this, describe(failure), Toast.LENGTH_LONG).show()
    }

    companion object {
        const val EXTRA_TEAM_ID = "de.pausenhof.app.THREADS_TEAM_ID"
    }
}
