package de.pausenhof.client

import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.newClient
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ConsentState
import de.pausenhof.ffi.Delivery
import de.pausenhof.ffi.PushDevice
import de.pausenhof.ffi.PushPlatform
import de.pausenhof.ffi.PushRegistrar
import de.pausenhof.ffi.RegisteredDevice
import java.util.Collections
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNull

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
            client.logout()
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
            client.logout()
        }
    }
}
