package de.pausenhof.client

import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.TwoUsers
import de.pausenhof.client.support.newClient
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ConsentState
import de.pausenhof.ffi.Delivery
import de.pausenhof.ffi.LifecycleEvent
import de.pausenhof.ffi.Notification
import de.pausenhof.ffi.NotifyReason
import de.pausenhof.ffi.PushAction
import de.pausenhof.ffi.PushDevice
import de.pausenhof.ffi.PushPlatform
import de.pausenhof.ffi.PushRegistrar
import de.pausenhof.ffi.RegisteredDevice
import java.util.Collections
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Consent, registration and withdrawal through the generated Kotlin. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PushTest {
    private lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    /** Stands in for the app's UnifiedPush gateway client. */
    private class RecordingRegistrar : PushRegistrar {
        val unregistered: MutableList<PushDevice> = Collections.synchronizedList(mutableListOf())
        override fun unregister(device: PushDevice) {
            unregistered.add(device)
        }
    }

    @Test
    fun `nothing registers before consent, a granted device attaches, withdrawal deletes it`() = runSession {
        val account = server.plain("student")
        newClient().use { client ->
            client.signInWithPassword(server.url, account.username, account.password, null)
            val registrar = RecordingRegistrar()
            client.setPushRegistrar(registrar)
            val device = PushDevice(Delivery.UNIFIED_PUSH, PushPlatform.ANDROID, "gw-3f9a1c")

            assertEquals(ConsentState.NotAsked, client.pushStatus().consent)
            assertFailsWith<ClientException.InvalidInput>("no registration without consent") {
                client.registerPushDevice(device)
            }

            val granted = client.grantPushConsent(Delivery.UNIFIED_PUSH, "2026-11")
            val consent = assertIs<ConsentState.Granted>(granted.consent)
            assertEquals(Delivery.UNIFIED_PUSH, consent.delivery)
            assertEquals("2026-11", consent.consentTextVersion)
            assertNull(granted.registered, "granting registers nothing by itself")

            val registered = client.registerPushDevice(device)
            assertEquals(RegisteredDevice(Delivery.UNIFIED_PUSH, PushPlatform.ANDROID, attached = true), registered.registered)

            val withdrawn = client.withdrawPushConsent()
            assertIs<ConsentState.Withdrawn>(withdrawn.consent)
            assertNull(withdrawn.registered)
            assertEquals(0u, withdrawn.teardownsPending, "deleted at the gateway and on the server session")
            assertEquals(listOf(device), registrar.unregistered.toList())

            val log = client.pushConsentLog().map { it.decision }
            assertEquals(2, log.size)
            assertIs<ConsentState.Granted>(log[0])
            assertIs<ConsentState.Withdrawn>(log[1])
            client.signOut()
        }
    }

    @Test
    fun `a registrar that fails keeps the deletion owed until it succeeds`() = runSession {
        val account = server.plain("teacher")
        newClient().use { client ->
            client.signInWithPassword(server.url, account.username, account.password, null)
            var fail = true
            val attempts = Collections.synchronizedList(mutableListOf<PushDevice>())
            client.setPushRegistrar(object : PushRegistrar {
                override fun unregister(device: PushDevice) {
                    attempts.add(device)
                    if (fail) throw de.pausenhof.ffi.PushRegistrarFailure.Failed("gateway unreachable")
                }
            })
            client.grantPushConsent(Delivery.UNIFIED_PUSH, "2026-11")
            client.registerPushDevice(PushDevice(Delivery.UNIFIED_PUSH, PushPlatform.ANDROID, "gw-77b2"))

            val withdrawn = client.withdrawPushConsent()
            assertIs<ConsentState.Withdrawn>(withdrawn.consent)
            assertEquals(1u, withdrawn.teardownsPending)

            fail = false
            assertEquals(0u, client.syncPushRegistration().teardownsPending)
            assertEquals(2, attempts.size)
            client.signOut()
        }
    }

    @Test
    fun `an ids-only push of a mention becomes a notification, and nothing after withdrawal`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            me.setPushRegistrar(RecordingRegistrar())
            me.grantPushConsent(Delivery.UNIFIED_PUSH, "2026-11")
            me.registerPushDevice(PushDevice(Delivery.UNIFIED_PUSH, PushPlatform.ANDROID, "gw-51d0"))

            val text = "@${me.currentUser()!!.username} bitte die Liste prüfen ${System.nanoTime()}"
            val key = other.sendPost(channel, "", text)
            val postId = other.observeTimeline(channel).first { w -> w.posts.any { it.id != key && it.propsJson.contains(key) } }
                .posts.first { it.propsJson.contains(key) }.id
            // What the school's gateway delivers: ids only, no message text.
            val push = """{"type":"message","post_id":"$postId","channel_id":"$channel",""" +
                """"sender_id":"${other.currentUser()!!.id}","platform":"android_rn-v2","is_id_loaded":true}"""

            val shown = assertIs<PushAction.Show>(me.handlePush(push.toByteArray()).action).notification
            assertEquals(postId, shown.id)
            assertEquals(channel, shown.channelId)
            assertEquals(NotifyReason.MENTION, shown.reason)
            assertTrue(shown.body.contains("bitte die Liste prüfen"), "text read from the store or server: ${shown.body}")
            assertTrue(shown.replyAllowed)

            assertFailsWith<ClientException.InvalidInput> { me.handlePush("not json".toByteArray()) }

            me.withdrawPushConsent()
            assertEquals(PushAction.NotConsented, me.handlePush(push.toByteArray()).action)
        }
    }

    @Test
    fun `with the background connection, a mention while in the background notifies through the listener`() = runSession {
        TwoUsers.connect(server).use { users ->
            val (me, other, channel) = Triple(users.me, users.other, users.channel.id)
            me.grantPushConsent(Delivery.BACKGROUND_CONNECTION, "2026-11")
            val notifications = Channel<Notification>(Channel.UNLIMITED)
            val collector = launch { me.backgroundNotifications().collect { notifications.send(it) } }

            // In the foreground nothing notifies; in the background it does.
            val foreground = "@${me.currentUser()!!.username} im Vordergrund ${System.nanoTime()}"
            other.sendPost(channel, "", foreground)
            me.observeTimeline(channel).first { w -> w.posts.any { it.message == foreground } }
            me.lifecycle(LifecycleEvent.KeepBackgroundConnection(true))
            me.lifecycle(LifecycleEvent.Background)
            val text = "@${me.currentUser()!!.username} im Hintergrund ${System.nanoTime()}"
            other.sendPost(channel, "", text)
            val shown = notifications.receive()
            assertEquals(text, shown.body)
            assertEquals(NotifyReason.MENTION, shown.reason)
            collector.cancel()
            me.lifecycle(LifecycleEvent.Foreground)
        }
    }
}
