package de.pausenhof.client

import de.pausenhof.client.support.MemorySecretStore
import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ClientOptions
import de.pausenhof.ffi.SidebarSection
import java.nio.file.Files
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** Sync, the offline reads and store subscriptions as Flows. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SyncTest {
    private lateinit var server: TestServer

    @BeforeAll
    fun startServer() {
        server = TestServer.start()
    }

    @AfterAll
    fun stopServer() {
        server.close()
    }

    private fun newClient() = Client(
        ClientOptions(
            dataDir = Files.createTempDirectory("pausenhof-kotlin").toFile().path,
            deviceId = "",
            extraRootCertificates = emptyList(),
        ),
        MemorySecretStore(),
    )

    @Test
    fun `reads before sign-in raise Unauthorized`() = runSession {
        newClient().use { client ->
            assertFailsWith<ClientException.Unauthorized> { client.teams() }
            assertFailsWith<ClientException.Unauthorized> { client.sync() }
        }
    }

    @Test
    fun `after sign-in and sync the channel list arrives as a Flow and reads work offline`() = runSession {
        run {
            val account = server.plain("student")
            newClient().use { client ->
                client.signInWithPassword(server.url, account.username, account.password, null)
                val report = client.sync()
                assertTrue(report.full, "the first sync fetches everything")
                val team = client.teams().first()

                val lists = Channel<List<SidebarSection>>(Channel.UNLIMITED)
                val collector = launch { client.observeChannelList(team.id).collect { lists.send(it) } }
                val channels = lists.receive().flatMap { it.channels }
                assertTrue(channels.isNotEmpty(), "the synced channel list is the first value")
                assertEquals(channels, client.observeChannelList(team.id).first().flatMap { it.channels })

                val catchUp = client.sync()
                assertTrue(!catchUp.full, "the second sync only catches up")

                val channel = channels.first()
                val window = client.timeline(channel.id, 20u)
                assertEquals(channel.id, window.channelId)
                collector.cancel()
                client.signOut()
            }
        }
    }
}
