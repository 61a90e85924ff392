package de.pausenhof.app

import android.content.Intent
import android.widget.Button
import android.widget.EditText
import android.widget.ListView
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ChannelActivity
import de.pausenhof.ffi.ChannelKind
import de.pausenhof.ffi.ChannelListItem
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** The composer: slash commands act instead of being posted, drafts outlive the app, files go along. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class ComposerTest : ScreenTest() {

    private fun publicChannel(): ChannelListItem = runBlocking {
        val team = app.client.teams().first()
        app.client.channelList(team.id).flatMap { it.channels }
            .first { it.kind == ChannelKind.PUBLIC && it.name != "town-square" }
    }

    private fun open(channel: ChannelListItem) = launch<ChannelActivity>(
        Intent(app, ChannelActivity::class.java)
            .putExtra(ChannelActivity.EXTRA_CHANNEL_ID, channel.id)
            .putExtra(ChannelActivity.EXTRA_CHANNEL_NAME, channel.displayName),
    )

    private fun ChannelActivity.type(text: String) {
        findViewById<EditText>(R.id.channel_composer).setText(text)
        findViewById<Button>(R.id.channel_send).performClick()
    }

    private fun ChannelActivity.shown(): List<String> {
        val list = findViewById<ListView>(R.id.channel_timeline)
        return ((list.adapter as android.widget.HeaderViewListAdapter).wrappedAdapter as de.pausenhof.app.ui.ItemsAdapter).messages()
    }

    @Test
    fun slash_mute_mutes_the_channel_and_posts_nothing() {
        signIn(server.plain("student"))
        val channel = publicChannel()
        val screen = open(channel).get()
        waitUntil("the timeline is shown") { screen.shown().isNotEmpty() }
        screen.type("/mute")
        waitUntil("the channel is muted") { runBlocking { app.client.channelInfo(channel.id).muted } }
        assertTrue(screen.shown().none { it.startsWith("/mute") })
        assertTrue(runBlocking { app.client.pendingSends() }.isEmpty())
    }

    @Test
    fun slash_leave_leaves_the_channel_and_the_screen() {
        signIn(server.plain("student"))
        val channel = publicChannel()
        val screen = open(channel).get()
        screen.type("/leave")
        waitUntil("the channel has left the sidebar") {
            runBlocking { app.client.channelList(channel.teamId) }.flatMap { it.channels }.none { it.id == channel.id }
        }
        waitUntil("the screen moves on") { screen.isFinishing }
        val next = shadowOf(screen).nextStartedActivity
        assertEquals(ChannelActivity::class.java.name, next?.component?.className)
    }

    @Test
    fun typing_at_and_a_few_letters_suggests_people_and_a_tap_completes_the_name() {
        signIn(server.plain("student"))
        val teacher = server.plain("teacher")
        val channel = publicChannel()
        val screen = open(channel).get()
        val composer = screen.findViewById<EditText>(R.id.channel_composer)
        val suggestions = screen.findViewById<android.widget.LinearLayout>(R.id.composer_suggestions)

        // Key by key, as a keyboard does: each one moves the cursor.
        composer.requestFocus()
        "Frage an @${teacher.username.take(4)}".forEach { key -> composer.text.insert(composer.selectionStart, key.toString()) }
        waitUntil("the teacher is suggested") {
            (0 until suggestions.childCount).any {
                (suggestions.getChildAt(it) as android.widget.TextView).text.startsWith("@${teacher.username}")
            }
        }
        val row = (0 until suggestions.childCount).map { suggestions.getChildAt(it) as android.widget.TextView }
            .first { it.text.startsWith("@${teacher.username}") }
        row.performClick()
        assertEquals("Frage an @${teacher.username} ", composer.text.toString())
        waitUntil("the suggestions close") { suggestions.visibility == android.view.View.GONE }
    }

    @Test
    fun an_unsent_message_is_kept_as_a_draft_through_a_restart() {
        signIn(server.plain("student"))
        val channel = publicChannel()
        val first = open(channel)
        first.get().findViewById<EditText>(R.id.channel_composer).setText("Halb geschrieben, dann Akku leer")
        first.pause().stop().destroy()
        waitUntil("the draft is saved") {
            runBlocking { app.client.draft(channel.id, "") }?.message == "Halb geschrieben, dann Akku leer"
        }

        // A new process: a new core client over the same data folder.
        app.resetClient()
        runBlocking { app.client.restore() }
        val again = open(channel).get()
        val composer = again.findViewById<EditText>(R.id.channel_composer)
        waitUntil("the draft is back in the composer") { composer.text.toString() == "Halb geschrieben, dann Akku leer" }

        again.findViewById<Button>(R.id.channel_send).performClick()
        waitUntil("sent, the draft is gone") { runBlocking { app.client.draft(channel.id, "") } == null }
    }

    @Test
    fun a_picked_file_is_uploaded_and_sent_with_the_message() {
        signIn(server.plain("student"))
        val channel = publicChannel()
        val screen = open(channel).get()
        waitUntil("the timeline is shown") { screen.shown().isNotEmpty() }
        screen.findViewById<Button>(R.id.channel_attach).performClick()
        val picker = shadowOf(screen).nextStartedActivityForResult
        assertEquals(Intent.ACTION_OPEN_DOCUMENT, picker.intent.action)

        val content = "Aufgabe 1: S. 42\n".repeat(100).toByteArray()
        val picked = android.net.Uri.parse("content://de.pausenhof.test.files/document/arbeitsblatt.txt")
        shadowOf(app.contentResolver).registerInputStream(picked, java.io.ByteArrayInputStream(content))
        shadowOf(screen).receiveResult(picker.intent, android.app.Activity.RESULT_OK, Intent().setData(picked))
        val attachments = screen.findViewById<android.widget.LinearLayout>(R.id.composer_attachments)
        waitUntil("the file is uploaded") {
            (0 until attachments.childCount).any { (attachments.getChildAt(it) as android.widget.TextView).text.startsWith("📎 arbeitsblatt.txt") }
        }

        screen.type("Das Arbeitsblatt für morgen")
        waitUntil("sent with the file") {
            attachments.childCount == 0 && runBlocking { app.client.pendingSends() }.isEmpty()
        }
        de.pausenhof.app.support.OtherUser(server, server.plain("teacher")).use { teacher ->
            val post = runBlocking {
                teacher.client.sync()
                teacher.client.loadOlder(channel.id)
                teacher.client.timeline(channel.id, 50u).posts
            }.first { it.message == "Das Arbeitsblatt für morgen" }
            assertEquals(listOf("arbeitsblatt.txt"), post.files.map { it.name })
            assertEquals(content.size.toLong(), post.files.single().size)
        }
    }

    @Test
    fun a_file_too_large_for_the_phone_is_refused_before_reading() {
        signIn(server.plain("student"))
        val screen = open(publicChannel()).get()
        screen.findViewById<Button>(R.id.channel_attach).performClick()
        val picker = shadowOf(screen).nextStartedActivityForResult
        // A provider that says its file is 2 GB.
        val huge = android.net.Uri.parse("content://de.pausenhof.test.huge/video.mp4")
        val provider = object : android.content.ContentProvider() {
            override fun onCreate() = true
            override fun query(uri: android.net.Uri, projection: Array<out String>?, selection: String?, args: Array<out String>?, order: String?) =
                android.database.MatrixCursor(arrayOf(android.provider.OpenableColumns.DISPLAY_NAME, android.provider.OpenableColumns.SIZE))
                    .apply { addRow(arrayOf<Any>("video.mp4", 2L * 1024 * 1024 * 1024)) }
            override fun getType(uri: android.net.Uri) = "video/mp4"
            override fun insert(uri: android.net.Uri, values: android.content.ContentValues?) = null
            override fun delete(uri: android.net.Uri, selection: String?, args: Array<out String>?) = 0
            override fun update(uri: android.net.Uri, values: android.content.ContentValues?, selection: String?, args: Array<out String>?) = 0
        }
        org.robolectric.shadows.ShadowContentResolver.registerProviderInternal("de.pausenhof.test.huge", provider)
        shadowOf(screen).receiveResult(picker.intent, android.app.Activity.RESULT_OK, Intent().setData(huge))
        val attachments = screen.findViewById<android.widget.LinearLayout>(R.id.composer_attachments)
        assertEquals(0, attachments.childCount)
        val said = org.robolectric.shadows.ShadowToast.getTextOfLatestToast()
        assertTrue(said, said.startsWith("video.mp4 is too large"))
    }
}
