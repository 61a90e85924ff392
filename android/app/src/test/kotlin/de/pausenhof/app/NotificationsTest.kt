package de.pausenhof.app

import android.app.NotificationManager
import android.app.RemoteInput
import android.content.Intent
import android.os.Bundle
import de.pausenhof.app.platform.NotificationActionReceiver
import de.pausenhof.app.platform.Notifier
import de.pausenhof.app.platform.PushHandler
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TEST_CONSENT_VERSION
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.waitUntil
import de.pausenhof.ffi.Delivery
import de.pausenhof.ffi.PushAction
import de.pausenhof.ffi.PushDevice
import de.pausenhof.ffi.PushPlatform
import de.pausenhof.ffi.PushRegistrar
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class NotificationsTest : ScreenTest() {
    private val manager get() = app.getSystemService(NotificationManager::class.java)

    private fun shown() = shadowOf(manager).allNotifications

    /** What the school's gateway delivers: ids only, no text. */
    private fun idsOnlyPush(postId: String, channelId: String, senderId: String) =
        """{"type":"message","post_id":"$postId","channel_id":"$channelId","sender_id":"$senderId","platform":"android_rn-v2","is_id_loaded":true}"""
            .toByteArray()

    private fun grantUnifiedPush() = runBlocking {
        app.client.setPushRegistrar(object : PushRegistrar {
            override fun unregister(device: PushDevice) = Unit
        })
        app.client.grantPushConsent(Delivery.UNIFIED_PUSH, TEST_CONSENT_VERSION)
        app.client.registerPushDevice(PushDevice(Delivery.UNIFIED_PUSH, PushPlatform.ANDROID, "gw-test"))
    }

    @Test
    fun notification_channels_exist_per_kind() {
        Notifier(app).ensureChannels()
        val ids = shadowOf(manager).notificationChannels.map { (it as android.app.NotificationChannel).id }.toSet()
        assertEquals(setOf("direct", "mentions", "other", "connection"), ids)
    }

    @Test
    fun an_ids_only_push_becomes_a_notification_with_the_text_from_the_server_and_can_be_answered() {
        val me = server.plain("student")
        signIn(me, decide = false)
        grantUnifiedPush()
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            val text = "@${me.username} kommst du morgen zur AG?"
            teacher.post(channel.id, text)
            val postId = runBlocking { teacher.client.timeline(channel.id, 20u).posts.last { it.message == text }.id }
            val teacherId = teacher.client.currentUser()!!.id

            val action = runBlocking { PushHandler(app).handle(idsOnlyPush(postId, channel.id, teacherId)) }
            assertTrue("$action", action is PushAction.Show)
            val notification = shown().single()
            assertEquals("mentions", notification.channelId)
            val extras = notification.extras
            val messages = extras.getParcelableArray(android.app.Notification.EXTRA_MESSAGES)!!
            val body = (messages.last() as Bundle).getCharSequence("text").toString()
            assertTrue(body, body.contains("kommst du morgen zur AG?"))
            val reply = notification.actions.first { it.remoteInputs?.isNotEmpty() == true }

            // What the system does when the user types an answer and taps send.
            val typed = Intent()
            RemoteInput.addResultsToIntent(
                reply.remoteInputs,
                typed,
                Bundle().apply { putCharSequence(NotificationActionReceiver.KEY_REPLY, "Ja, bis morgen!") },
            )
            reply.actionIntent.send(app, 0, typed)
            waitUntil("the reply reaches the server", timeoutMs = 30_000) {
                teacher.copiesOnServer(channel.id, "Ja, bis morgen!") == 1
            }
            waitUntil("the notification is gone") { shown().isEmpty() }
        }
    }

    @Test
    @Config(qualifiers = "de")
    fun a_german_phone_gets_the_core_made_texts_in_german() {
        val me = server.plain("student")
        signIn(me, decide = false)
        grantUnifiedPush()
        OtherUser(server, server.plain("teacher")).use { teacher ->
            // A direct message with only a file: its body is a text the core makes.
            val dm = runBlocking { teacher.client.openDirectMessage(app.client.currentUser()!!.id) }
            val file = runBlocking {
                teacher.client.uploadFile(dm, "arbeitsblatt.pdf", "application/pdf", "%PDF-1.4".toByteArray())
            }
            runBlocking { teacher.client.startRealtime() }
            val key = runBlocking { teacher.client.sendPostWithFiles(dm, "", "", listOf(file.id)) }
            waitUntil("the file is sent") { runBlocking { teacher.client.pendingSends() }.none { it.clientKey == key } }
            val postId = runBlocking { teacher.client.timeline(dm, 20u).posts.last { it.files.isNotEmpty() }.id }

            val action = runBlocking { PushHandler(app).handle(idsOnlyPush(postId, dm, teacher.client.currentUser()!!.id)) }
            assertTrue("$action", action is PushAction.Show)
            val text = shown().single().extras.getCharSequence(android.app.Notification.EXTRA_TEXT).toString()
            assertEquals("hat eine Datei gesendet", text)
        }
    }

    @Test
    fun nothing_is_shown_once_consent_is_withdrawn() {
        val me = server.plain("student")
        signIn(me, decide = false)
        grantUnifiedPush()
        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            val text = "@${me.username} noch eine Frage"
            teacher.post(channel.id, text)
            val postId = runBlocking { teacher.client.timeline(channel.id, 20u).posts.last { it.message == text }.id }
            runBlocking { app.client.withdrawPushConsent() }

            val action = runBlocking { PushHandler(app).handle(idsOnlyPush(postId, channel.id, teacher.client.currentUser()!!.id)) }
            assertEquals(PushAction.NotConsented, action)
            assertTrue(shown().isEmpty())
        }
    }

    @Test
    fun a_malformed_push_shows_nothing_and_does_not_crash() {
        signIn(server.plain("student"), decide = false)
        grantUnifiedPush()
        assertEquals(null, runBlocking { PushHandler(app).handle("kein json".toByteArray()) })
        assertTrue(shown().isEmpty())
    }
}
