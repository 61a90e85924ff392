package de.pausenhof.app

import android.app.NotificationManager
import android.content.ComponentName
import android.content.Context
import android.content.Intent
import android.os.Looper
import android.widget.Button
import android.widget.RadioButton
import android.widget.TextView
import de.pausenhof.app.platform.UnifiedPushRegistration
import de.pausenhof.app.platform.UnifiedPushService
import de.pausenhof.app.support.FakePushGateway
import de.pausenhof.app.support.OtherUser
import de.pausenhof.app.support.ScreenTest
import de.pausenhof.app.support.TestApp
import de.pausenhof.app.support.broadcastsTo
import de.pausenhof.app.support.installDistributor
import de.pausenhof.app.support.launch
import de.pausenhof.app.support.signIn
import de.pausenhof.app.support.startedNext
import de.pausenhof.app.support.waitUntil
import de.pausenhof.app.ui.ConsentActivity
import de.pausenhof.app.ui.SettingsActivity
import de.pausenhof.ffi.ConsentState
import de.pausenhof.ffi.Delivery
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.unifiedpush.android.connector.data.PublicKeySet
import org.unifiedpush.android.connector.data.PushEndpoint
import org.unifiedpush.android.connector.data.PushMessage

/**
 * UnifiedPush end to end on the phone's side: the consent screen asks the
 * chosen distributor for an endpoint, the distributor's answer reaches the
 * school's gateway through the core, a push the distributor delivers
 * becomes a notification, and withdrawal deletes the registration at the
 * gateway and at the distributor.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class, sdk = [34])
class UnifiedPushTest : ScreenTest() {
    private val gateway = FakePushGateway()

    @After
    fun stopGateway() {
        gateway.close()
        // The connector lets go of the app's service on a timer of its own
        // (real time, seconds after its last message). Wait for it inside
        // this test, where Robolectric still knows the service's name: in a
        // later test the sandbox would call back with none.
        waitUntil("the connector lets go of the service") { shadowOf(app).boundServiceConnections.isEmpty() }
        shadowOf(Looper.getMainLooper()).idle()
    }

    private fun status() = runBlocking { app.client.pushStatus() }

    private fun shown() = shadowOf(app.getSystemService(Context.NOTIFICATION_SERVICE) as NotificationManager)
        .allNotifications

    @Test
    fun consent_endpoint_push_and_withdrawal_reach_distributor_and_gateway() {
        app.pushGateway = gateway.url
        installDistributor(NTFY, "ntfy")
        val me = server.plain("student")
        signIn(me, decide = false)

        val consent = launch<ConsentActivity>().get()
        consent.findViewById<RadioButton>(R.id.consent_unifiedpush).performClick()
        consent.findViewById<Button>(R.id.consent_confirm).performClick()
        waitUntil("the app opens") { consent.startedNext() != null }
        val granted = status().consent
        assertTrue("$granted", granted is ConsentState.Granted && granted.delivery == Delivery.UNIFIED_PUSH)
        waitUntil("the distributor is asked for an endpoint") { broadcastsTo(NTFY, "REGISTER").isNotEmpty() }
        assertEquals(FakePushGateway.VAPID_KEY, broadcastsTo(NTFY, "REGISTER").last().getStringExtra("vapid"))
        // Nothing reaches the gateway until the distributor answers.
        assertTrue(gateway.registrations.isEmpty())

        val service = Robolectric.setupService(UnifiedPushService::class.java)
        // What the connector's receiver binds to when the distributor
        // speaks (Robolectric answers bindService with what it is given).
        shadowOf(app).setComponentNameAndServiceForBindService(
            ComponentName(app, UnifiedPushService::class.java),
            service.onBind(Intent("org.unifiedpush.android.connector.PUSH_EVENT")),
        )
        service.onNewEndpoint(
            PushEndpoint("https://push.example/up/phone-1", PublicKeySet(P256DH, AUTH), false),
            UnifiedPushRegistration.INSTANCE,
        )
        waitUntil("the endpoint is registered at the gateway") { gateway.registrations.size == 1 }
        val registration = gateway.registrations.values.single()
        assertEquals("https://push.example/up/phone-1", registration.endpoint)
        assertEquals(P256DH, registration.p256dh)
        waitUntil("the token is on the server session") { status().registered?.attached == true }

        OtherUser(server, server.plain("teacher")).use { teacher ->
            val channel = teacher.sharedChannel(app.client)
            val text = "@${me.username} Hausaufgaben für Montag?"
            teacher.post(channel.id, text)
            val postId = runBlocking { teacher.client.timeline(channel.id, 20u).posts.last { it.message == text }.id }
            val push = """{"type":"message","post_id":"$postId","channel_id":"${channel.id}","version":"v2"}"""
            service.onMessage(PushMessage(push.toByteArray(), true), UnifiedPushRegistration.INSTANCE)
            waitUntil("the push is shown") { shown().isNotEmpty() }
            val body = shown().single().extras.getCharSequence(android.app.Notification.EXTRA_TEXT).toString()
            assertTrue(body, body.contains("Hausaufgaben"))
            // A push the gateway did not encrypt is not ours.
            service.onMessage(PushMessage(push.toByteArray(), false), UnifiedPushRegistration.INSTANCE)
        }

        val settings = launch<SettingsActivity>().get()
        val withdraw = settings.findViewById<Button>(R.id.settings_withdraw)
        waitUntil("withdraw is offered") { withdraw.visibility == android.view.View.VISIBLE }
        withdraw.performClick()
        waitUntil("the gateway forgot the endpoint") { gateway.registrations.isEmpty() }
        assertEquals(listOf("gw1" to "secret-1"), gateway.deleted.toList())
        waitUntil("the distributor is told to forget the app") { broadcastsTo(NTFY, "UNREGISTER").isNotEmpty() }
        assertEquals(0u, status().teardownsPending)
    }

    @Test
    fun a_school_without_a_gateway_is_told_before_anything_is_recorded() {
        installDistributor(NTFY, "ntfy")
        signIn(server.plain("student"), decide = false)
        val consent = launch<ConsentActivity>().get()
        consent.findViewById<RadioButton>(R.id.consent_unifiedpush).performClick()
        consent.findViewById<Button>(R.id.consent_confirm).performClick()
        val error = consent.findViewById<TextView>(R.id.consent_error)
        waitUntil("the error is shown") { error.text.isNotEmpty() }
        assertEquals(app.getString(R.string.error_push_gateway_missing), error.text.toString())
        assertTrue(status().consent is ConsentState.NotAsked)
        assertTrue(broadcastsTo(NTFY, "REGISTER").isEmpty())
    }

    private companion object {
        const val NTFY = "io.heckel.ntfy"
        const val P256DH = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM"
        const val AUTH = "tBHItJI5svbpez7KI4CCXg"
    }
}
