package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.LinearLayout
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException

/**
 * Someone's card: name, position, the time where they are and their status,
 * so that a student sees before writing whether a teacher is at work; and
 * "Send message", which opens the direct message with them.
 */
class ProfileActivity : Screen() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val userId = intent.getStringExtra(EXTRA_USER_ID) ?: return finish()
        setTitle(R.string.profile_title)
        val name = TextView(this).apply {
            id = R.id.profile_name
            textSize = 22f
        }
        val details = TextView(this).apply { id = R.id.profile_details }
        val message = Button(this).apply {
            id = R.id.profile_message
            setText(R.string.profile_send_message)
            minHeight = (48 * resources.displayMetrics.density).toInt()
            visibility = View.GONE
            setOnClickListener { openDirectMessage(userId, name.text.toString()) }
        }
        val padding = (16 * resources.displayMetrics.density).toInt()
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(padding, padding, padding, padding)
                listOf(name, details, message).forEach(::addView)
            },
        )
        launch {
            val card = try {
                client.profileCard(userId)
            } catch (failure: ClientException) {
                Toast.makeText(this@ProfileActivity, describe(failure), Toast.LENGTH_LONG).show()
                return@launch
            }
            val person = card.person
            name.text = person.displayName.ifBlank { person.username }
            details.text = listOfNotNull(
                "@${person.username}",
                person.position.takeIf { it.isNotBlank() },
                getString(presenceText(person.presence)),
                card.localTime?.let { getString(R.string.profile_local_time, it.time) },
                getString(R.string.people_deactivated).takeIf { person.deactivated },
            ).joinToString("\n")
            // Nobody reads a message sent to a deactivated account or to a bot.
            message.visibility = if (person.deactivated || person.isBot) View.GONE else View.VISIBLE
        }
    }

    private fun openDirectMessage(userId: String, name: String) {
        launch {
            val channelId = try {
                client.openDirectMessage(userId)
            } catch (failure: ClientException) {
                Toast.makeText(this@ProfileActivity, describe(failure), Toast.LENGTH_LONG).show()
                return@launch
            }
            startActivity(
                Intent(this@ProfileActivity, ChannelActivity::class.java)
                    .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channelId)
                    .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, name),
            )
        }
    }

    companion object {
        const val EXTRA_USER_ID = "de.pausenhof.app.PROFILE_USER_ID"
    }
}
