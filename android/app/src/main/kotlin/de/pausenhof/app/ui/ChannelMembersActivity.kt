package de.pausenhof.app.ui

import android.os.Bundle
import android.widget.ListView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.FoundPerson

/** Who is in a channel, with their status. */
class ChannelMembersActivity : Screen() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val channelId = intent.getStringExtra(EXTRA_CHANNEL_ID) ?: return finish()
        setTitle(R.string.members_title)
        val adapter = TwoLineAdapter<FoundPerson>(
            this,
            title = { it.displayName.ifBlank { it.username } },
            subtitle = { person ->
                listOf(person.position, getString(presenceText(person.presence)))
                    .filter { it.isNotBlank() }.joinToString(" · ")
            },
        )
        setContentView(
            ListView(this).apply {
                id = R.id.members_list
                this.adapter = adapter
            },
        )
        launch {
            try {
                adapter.show(client.channelMembers(channelId, 0u, PAGE))
            } catch (failure: ClientException) {
                Toast.makeText(this@ChannelMembersActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    companion object {
        const val EXTRA_CHANNEL_ID = "de.pausenhof.app.MEMBERS_CHANNEL_ID"

        // A class of 30 and its teachers fit; larger channels are rare at a school.
        private const val PAGE = 200u
    }
}
