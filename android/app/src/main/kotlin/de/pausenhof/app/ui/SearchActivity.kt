package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.view.KeyEvent
import android.view.View
import android.view.inputmethod.EditorInfo
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.SearchHit

/**
 * Searches the messages saved on this phone, so it works offline; a hit
 * names its channel and opens it when tapped.
 */
class SearchActivity : Screen() {
    private lateinit var field: EditText
    private lateinit var adapter: TwoLineAdapter<SearchHit>
    private lateinit var empty: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setTitle(R.string.search_title)
        field = EditText(this).apply {
            id = R.id.search_field
            setHint(R.string.search_hint)
            setSingleLine()
            imeOptions = EditorInfo.IME_ACTION_SEARCH
            minHeight = (48 * resources.displayMetrics.density).toInt()
            setOnEditorActionListener { _, action, event ->
                val enter = event?.keyCode == KeyEvent.KEYCODE_ENTER && event.action == KeyEvent.ACTION_DOWN
                if (action == EditorInfo.IME_ACTION_SEARCH || enter) search()
                true
            }
        }
        val go = Button(this).apply {
            id = R.id.search_go
            setText(R.string.search_go)
            minHeight = (48 * resources.displayMetrics.density).toInt()
            setOnClickListener { search() }
        }
        empty = TextView(this).apply {
            id = R.id.search_empty
            val padding = (16 * resources.displayMetrics.density).toInt()
            setPadding(padding, padding, padding, padding)
            accessibilityLiveRegion = View.ACCESSIBILITY_LIVE_REGION_POLITE
            visibility = View.GONE
        }
        adapter = TwoLineAdapter(
            this,
            title = { hit ->
                "${hit.channelDisplayName} · ${hit.post.authorName.ifBlank { hit.post.authorUsername }}"
            },
            subtitle = { hit -> hit.post.message },
        )
        val results = ListView(this).apply {
            id = R.id.search_results
            adapter = this@SearchActivity.adapter
            setOnItemClickListener { _, _, position, _ -> open(this@SearchActivity.adapter.getItem(position)) }
        }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                addView(
                    LinearLayout(this@SearchActivity).apply {
                        addView(field, LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f))
                        addView(go)
                    },
                )
                addView(empty)
                addView(results, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
            },
        )
        intent.getStringExtra(EXTRA_TERMS)?.takeIf { savedInstanceState == null }?.let {
            field.setText(it)
            search()
        }
    }

    private fun search() {
        val terms = field.text.toString().trim()
        if (terms.isEmpty()) return
        launch {
            val hits = try {
                client.search(terms, null, LIMIT)
            } catch (failure: ClientException) {
                Toast.makeText(this@SearchActivity, describe(failure), Toast.LENGTH_LONG).show()
                return@launch
            }
            adapter.show(hits)
            empty.text = getString(R.string.search_nothing, terms)
            empty.visibility = if (hits.isEmpty()) View.VISIBLE else View.GONE
        }
    }

    private fun open(hit: SearchHit) {
        startActivity(
            Intent(this, ChannelActivity::class.java)
                .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, hit.post.channelId)
                .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, hit.channelDisplayName),
        )
    }

    companion object {
        /** Terms to search at once (from `/search` in a composer). */
        const val EXTRA_TERMS = "de.pausenhof.app.SEARCH_TERMS"

        private const val LIMIT = 50u
    }
}
