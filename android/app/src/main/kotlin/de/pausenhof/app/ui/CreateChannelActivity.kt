package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException

/** A new public or private channel in a team; it opens once created. */
class CreateChannelActivity : Screen() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val teamId = intent.getStringExtra(EXTRA_TEAM_ID) ?: return finish()
        setTitle(R.string.create_title)
        val touch = (48 * resources.displayMetrics.density).toInt()
        val name = EditText(this).apply {
            id = R.id.create_name
            setHint(R.string.create_name)
            setSingleLine()
            minHeight = touch
        }
        val purpose = EditText(this).apply {
            id = R.id.create_purpose
            setHint(R.string.create_purpose)
            minHeight = touch
        }
        val private = CheckBox(this).apply {
            id = R.id.create_private
            setText(R.string.create_private)
            minHeight = touch
        }
        val create = Button(this).apply {
            id = R.id.create_button
            setText(R.string.create_button)
            minHeight = touch
        }
        create.setOnClickListener {
            val displayName = name.text.toString().trim()
            if (displayName.isEmpty()) {
                name.error = getString(R.string.create_name_missing)
                return@setOnClickListener
            }
            create.isEnabled = false
            launch {
                val channel = try {
                    client.createChannel(teamId, displayName, private.isChecked, purpose.text.toString().trim())
                } catch (failure: ClientException) {
                    create.isEnabled = true
                    Toast.makeText(this@CreateChannelActivity, describe(failure), Toast.LENGTH_LONG).show()
                    return@launch
                }
                startActivity(
                    Intent(this@CreateChannelActivity, ChannelActivity::class.java)
                        .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channel.id)
                        .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, channel.displayName),
                )
                finish()
            }
        }
        val padding = (16 * resources.displayMetrics.density).toInt()
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(padding, padding, padding, padding)
                listOf(name, purpose, private, create).forEach(::addView)
            },
        )
    }

    companion object {
        const val EXTRA_TEAM_ID = "de.pausenhof.app.CREATE_TEAM_ID"
    }
}
