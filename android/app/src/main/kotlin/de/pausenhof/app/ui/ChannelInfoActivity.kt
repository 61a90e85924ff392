package de.pausenhof.app.ui

import android.app.AlertDialog
import android.content.Intent
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.Switch
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ChannelInfo
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.PushLevel

/**
 * What a channel is about and how it reaches the user: header, member
 * count, mute, favorite, notification level, the members, and leaving.
 */
class ChannelInfoActivity : Screen() {
    private lateinit var channelId: String
    private lateinit var header: TextView
    private lateinit var members: Button
    private lateinit var muted: Switch
    private lateinit var favorite: Switch
    private lateinit var pushLevel: Button
    private var info: ChannelInfo? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        channelId = intent.getStringExtra(EXTRA_CHANNEL_ID) ?: return finish()
        val touch = (48 * resources.displayMetrics.density).toInt()
        header = TextView(this).apply { id = R.id.info_header }
        members = Button(this).apply {
            id = R.id.info_members
            minHeight = touch
            setOnClickListener {
                startActivity(
                    Intent(this@ChannelInfoActivity, ChannelMembersActivity::class.java)
                        .putExtra(ChannelMembersActivity.EXTRA_CHANNEL_ID, channelId),
                )
            }
        }
        muted = Switch(this).apply {
            id = R.id.info_muted
            setText(R.string.info_muted)
            minHeight = touch
            setOnClickListener { change { client.setChannelMuted(channelId, isChecked) } }
        }
        favorite = Switch(this).apply {
            id = R.id.info_favorite
            setText(R.string.info_favorite)
            minHeight = touch
            setOnClickListener { change { client.setChannelFavorite(channelId, isChecked) } }
        }
        pushLevel = Button(this).apply {
            id = R.id.info_push_level
            minHeight = touch
            setOnClickListener { choosePushLevel() }
        }
        val leave = Button(this).apply {
            id = R.id.info_leave
            setText(R.string.channel_leave)
            minHeight = touch
            setOnClickListener { launch { if (leaveChannel(client, channelId)) backHome() } }
        }
        val padding = (16 * resources.displayMetrics.density).toInt()
        setContentView(
            ScrollView(this).apply {
                addView(
                    LinearLayout(this@ChannelInfoActivity).apply {
                        orientation = LinearLayout.VERTICAL
                        setPadding(padding, padding, padding, padding)
                        listOf(header, members, muted, favorite, pushLevel, leave).forEach(::addView)
                    },
                )
            },
        )
        launch { reload() }
    }

    private suspend fun reload() {
        val info = try {
            client.channelInfo(channelId)
        } catch (failure: ClientException) {
            Toast.makeText(this, describe(failure), Toast.LENGTH_LONG).show()
            return
        }
        this.info = info
        title = info.summary.displayName
        header.text = info.header.ifBlank { info.summary.purpose }
        header.visibility = if (header.text.isBlank()) View.GONE else View.VISIBLE
        members.text = getString(R.string.info_members, info.memberCount.toInt())
        muted.isChecked = info.muted
        favorite.isChecked = info.favorite
        pushLevel.text = getString(R.string.info_push_level, getString(levelText(info.pushLevel)))
    }

    /** Runs a change and shows the state the core has afterwards, also when it failed. */
    private fun change(call: suspend () -> Unit) {
        launch {
            try {
                call()
            } catch (failure: ClientException) {
                Toast.makeText(this@ChannelInfoActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
            reload()
        }
    }

    private fun choosePushLevel() {
        val levels = PushLevel.entries
        AlertDialog.Builder(this)
            .setTitle(R.string.info_push_level_title)
            .setSingleChoiceItems(
                levels.map { getString(levelText(it)) }.toTypedArray(),
                levels.indexOf(info?.pushLevel),
            ) { dialog, which ->
                dialog.dismiss()
                change { client.setChannelPushLevel(channelId, levels[which]) }
            }
            .show()
    }

    private fun levelText(level: PushLevel): Int = when (level) {
        PushLevel.DEFAULT -> R.string.push_level_default
        PushLevel.ALL -> R.string.push_level_all
        PushLevel.MENTIONS -> R.string.push_level_mentions
        PushLevel.NOTHING -> R.string.push_level_nothing
    }

    companion object {
        const val EXTRA_CHANNEL_ID = "de.pausenhof.app.INFO_CHANNEL_ID"
    }
}
