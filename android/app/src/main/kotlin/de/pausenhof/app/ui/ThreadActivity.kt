package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.client.observeItems
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.Timeline
import de.pausenhof.ffi.TimelineOptions
import de.pausenhof.ffi.TimelineTarget
import java.util.Locale
import kotlinx.coroutines.flow.collectLatest

/**
 * One thread: the core's timeline items of its root and replies, and a
 * composer whose messages go into the thread. The cached part shows at
 * once; the rest is fetched once when the screen opens.
 */
class ThreadActivity : Screen() {
    private lateinit var channelId: String
    private lateinit var rootId: String
    private lateinit var adapter: ItemsAdapter
    private var items: Timeline? = null
    private lateinit var composer: EditText
    private lateinit var drafting: Composer

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        channelId = intent.getStringExtra(EXTRA_CHANNEL_ID) ?: return finish()
        rootId = intent.getStringExtra(EXTRA_ROOT_ID) ?: return finish()
        setTitle(R.string.thread_title)
        adapter = ItemsAdapter(this)
        val posts = ListView(this).apply {
            id = R.id.thread_posts
            adapter = this@ThreadActivity.adapter
        }
        composer = EditText(this).apply {
            id = R.id.thread_composer
            setHint(R.string.thread_composer_hint)
            minHeight = (48 * resources.displayMetrics.density).toInt()
        }
        drafting = Composer(this, scope, { client }, composer, channelId, rootId)
        val attach = Button(this).apply {
            id = R.id.thread_attach
            text = "📎"
            contentDescription = getString(R.string.attach_button)
            setOnClickListener { drafting.pickFiles() }
        }
        val send = Button(this).apply {
            id = R.id.thread_send
            setText(R.string.composer_send)
            minHeight = (48 * resources.displayMetrics.density).toInt()
            setOnClickListener { drafting.send() }
        }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                addView(posts, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
                addView(drafting.suggestions)
                addView(drafting.attachments)
                addView(
                    LinearLayout(this@ThreadActivity).apply {
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
            val opened = try {
                client.openTimeline(
                    TimelineTarget.Thread(rootId),
                    TimelineOptions(timeZone = null, locale = Locale.getDefault().toLanguageTag(), pageSize = PAGE_SIZE),
                )
            } catch (failure: ClientException) {
                return@launch report(failure)
            }
            items = opened
            opened.observeItems().collectLatest { shown -> adapter.show(shown.items) }
        }
        launch {
            try {
                client.loadThread(rootId)
            } catch (failure: ClientException) {
                // Offline the cached part is all there is; that is no news.
                if (failure !is ClientException.Offline && failure !is ClientException.Network) report(failure)
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

    private fun report(failure: ClientException) {
        Toast.makeText(this, describe(failure), Toast.LENGTH_LONG).show()
    }

    companion object {
        const val EXTRA_CHANNEL_ID = "de.pausenhof.app.THREAD_CHANNEL_ID"
        private const val PAGE_SIZE = 200u
        const val EXTRA_ROOT_ID = "de.pausenhof.app.THREAD_ROOT_ID"
    }
}
