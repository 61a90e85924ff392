package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.text.Editable
import android.text.TextWatcher
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ChannelSummary
import de.pausenhof.ffi.ClientException
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay

/**
 * A team's public channels, narrowed by name as the user types; tapping one
 * joins it (when needed) and opens it. Creating a channel starts here too.
 */
class ChannelBrowserActivity : Screen() {
    private lateinit var teamId: String
    private lateinit var adapter: TwoLineAdapter<ChannelSummary>
    private var query: Job? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        teamId = intent.getStringExtra(EXTRA_TEAM_ID) ?: return finish()
        setTitle(R.string.browse_title)
        val touch = (48 * resources.displayMetrics.density).toInt()
        val field = EditText(this).apply {
            id = R.id.browse_field
            setHint(R.string.browse_hint)
            setSingleLine()
            minHeight = touch
            addTextChangedListener(object : TextWatcher {
                override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) = Unit
                override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) = Unit
                override fun afterTextChanged(text: Editable?) = load(text.toString().trim())
            })
        }
        val create = Button(this).apply {
            id = R.id.browse_create
            setText(R.string.browse_create)
            minHeight = touch
            setOnClickListener {
                startActivity(
                    Intent(this@ChannelBrowserActivity, CreateChannelActivity::class.java)
                        .putExtra(CreateChannelActivity.EXTRA_TEAM_ID, teamId),
                )
            }
        }
        adapter = TwoLineAdapter(
            this,
            title = { it.displayName },
            subtitle = { channel ->
                listOfNotNull(channel.purpose, getString(R.string.browse_joined).takeIf { channel.isMember })
                    .filter { it.isNotBlank() }.joinToString(" · ")
            },
        )
        val list = ListView(this).apply {
            id = R.id.browse_list
            adapter = this@ChannelBrowserActivity.adapter
            setOnItemClickListener { _, _, position, _ -> open(this@ChannelBrowserActivity.adapter.getItem(position)) }
        }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                addView(field)
                addView(create)
                addView(list, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
            },
        )
        load("")
    }

    private fun load(term: String) {
        query?.cancel()
        query = launch {
            // Waits for a pause in typing so that not every letter asks the server.
            if (term.isNotEmpty()) delay(TYPING_PAUSE_MS)
            try {
                val channels = if (term.isEmpty()) {
                    client.browseChannels(teamId, 0u, PAGE)
                } else {
                    client.searchChannels(teamId, term)
                }
                adapter.show(channels)
            } catch (failure: ClientException) {
                Toast.makeText(this@ChannelBrowserActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    private fun open(channel: ChannelSummary) {
        launch {
            try {
                if (!channel.isMember) client.joinChannel(channel.id)
            } catch (failure: ClientException) {
                Toast.makeText(this@ChannelBrowserActivity, describe(failure), Toast.LENGTH_LONG).show()
                return@launch
            }
            startActivity(
                Intent(this@ChannelBrowserActivity, ChannelActivity::class.java)
                    .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channel.id)
                    .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, channel.displayName),
            )
            finish()
        }
    }

    companion object {
        const val EXTRA_TEAM_ID = "de.pausenhof.app.BROWSE_TEAM_ID"
        private const val PAGE = 100u
        private const val TYPING_PAUSE_MS = 300L
    }
}
