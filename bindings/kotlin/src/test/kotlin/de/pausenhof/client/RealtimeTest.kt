package de.pausenhof.client

import de.pausenhof.client.support.MemorySecretStore
import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.runSession
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientOptions
import de.pausenhof.ffi.ConnectionState
import de.pausenhof.ffi.LifecycleEvent
import de.pausenhof.client.support.DownableProxy
import java.nio.file.Files
import kotlinx.coroutines.flow.first
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.TestInstance
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The live session: websocket, outbox, other users' messages. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealtimeTest {
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
    fun `another user's message arrives through the timeline listener`() = runSession {
        val sender = server.plain("teacher")
        val receiver = server.plain("student")
        newClient().use { senderClient ->
            newClient().use { receiverClient ->
                senderClient.signInWithPassword(server.url, sender.username, sender.password, null)
                receiverClient.signInWithPassword(server.url, receiver.username, receiver.password, null)
                senderClient.sync()
                receiverClient.sync()

                // A channel both are in.
                val team = receiverClient.teams().first()
                val receiverChannels = receiverClient.channelList(team.id).flatMap { it.channels }.map { it.id }.toSet()
                val shared = senderClient.channelList(team.id).flatMap { it.channels }
                    .first { it.id in receiverChannels && it.kind == de.pausenhof.ffi.ChannelKind.PUBLIC }

                receiverClient.startRealtime()
                senderClient.startRealtime()
                receiverClient.connectionStates().first { it is ConnectionState.Connected }

                val text = "Hausaufgaben bis Freitag ${System.nanoTime()}"
                // The first sync fetches posts of the focused channel only:
                // the receiver opens the shared channel's timeline first.
                receiverClient.loadOlder(shared.id)

                val clientKey = senderClient.sendPost(shared.id, "", text)
                assertTrue(clientKey.isNotEmpty())
                // The sender sees the message at once (local echo, then the server's copy).
                senderClient.observeTimeline(shared.id, 50u).first { w -> w.posts.any { it.message == text } }

                val window = receiverClient.observeTimeline(shared.id, 50u).first { w ->
                    w.posts.any { it.message == text }
                }
                val received = window.posts.filter { it.message == text }
                assertEquals(1, received.size, "delivered once")
                assertEquals(sender.username, received.single().authorUsername)

                senderClient.stopRealtime()
                receiverClient.stopRealtime()
                senderClient.signOut()
                receiverClient.signOut()
            }
        }
    }

    @Test
    fun `a message sent while the server is down is delivered exactly once after it returns`() = runSession {
        val sender = server.plain("teacher")
        val reader = server.plain("student")
        DownableProxy(server.port).use { proxy ->
            newClient().use { senderClient ->
                newClient().use { readerClient ->
                    senderClient.signInWithPassword(proxy.url, sender.username, sender.password, null)
                    readerClient.signInWithPassword(server.url, reader.username, reader.password, null)
                    senderClient.sync()
                    readerClient.sync()
                    val team = readerClient.teams().first()
                    val readerChannels = readerClient.channelList(team.id).flatMap { it.channels }.map { it.id }.toSet()
                    val shared = senderClient.channelList(team.id).flatMap { it.channels }
                        .first { it.id in readerChannels && it.kind == de.pausenhof.ffi.ChannelKind.PUBLIC }
                    senderClient.startRealtime()
                    senderClient.connectionStates().first { it is ConnectionState.Connected }

                    proxy.down()
                    senderClient.lifecycle(LifecycleEvent.NetworkChanged)
                    senderClient.connectionStates().first { it !is ConnectionState.Connected }
                    val text = "Offline geschrieben ${System.nanoTime()}"
                    senderClient.sendPost(shared.id, "", text)
                    // The local echo shows while the server is unreachable.
                    senderClient.observeTimeline(shared.id, 50u).first { w -> w.posts.any { it.message == text } }

                    proxy.up()
                    senderClient.lifecycle(LifecycleEvent.NetworkUp)
                    senderClient.connectionStates().first { it is ConnectionState.Connected }

                    // The reader, talking to the server directly, sees it once.
                    readerClient.loadOlder(shared.id)
                    readerClient.startRealtime()
                    val window = readerClient.observeTimeline(shared.id, 50u).first { w ->
                        w.posts.any { it.message == text }
                    }
                    assertEquals(1, window.posts.count { it.message == text }, "delivered exactly once")

                    senderClient.stopRealtime()
                    readerClient.stopRealtime()
                }
            }
        }
    }
}
