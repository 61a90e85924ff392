package de.pausenhof.client.support

import de.pausenhof.ffi.ChannelKind
import de.pausenhof.ffi.ChannelListItem
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientOptions
import de.pausenhof.ffi.ConnectionState
import de.pausenhof.client.connectionStates
import java.nio.file.Files
import kotlinx.coroutines.flow.first

/** A client with its own data directory and secret store. */
fun newClient(deviceId: String = ""): Client = Client(
    ClientOptions(
        dataDir = Files.createTempDirectory("pausenhof-kotlin").toFile().path,
        deviceId = deviceId,
        extraRootCertificates = emptyList(),
    ),
    MemorySecretStore(),
)

/** Two signed-in, synced, connected users and a public channel both are in. */
class TwoUsers(val me: Client, val other: Client, val teamId: String, val channel: ChannelListItem) : AutoCloseable {
    override fun close() {
        me.stopRealtime()
        other.stopRealtime()
        me.close()
        other.close()
    }

    companion object {
        suspend fun connect(server: TestServer, meRole: String = "teacher", otherRole: String = "student"): TwoUsers {
            val me = newClient()
            val other = newClient()
            val meAccount = server.plain(meRole)
            val otherAccount = server.plain(otherRole)
            me.signInWithPassword(server.url, meAccount.username, meAccount.password, null)
            other.signInWithPassword(server.url, otherAccount.username, otherAccount.password, null)
            me.sync()
            other.sync()
            val team = other.teams().first()
            val otherChannels = other.channelList(team.id).flatMap { it.channels }.map { it.id }.toSet()
            val shared = me.channelList(team.id).flatMap { it.channels }
                .first { it.id in otherChannels && it.kind == ChannelKind.PUBLIC }
            // The first sync fetches the focused channel's posts only.
            me.loadOlder(shared.id)
            other.loadOlder(shared.id)
            me.startRealtime()
            other.startRealtime()
            me.connectionStates().first { it is ConnectionState.Connected }
            other.connectionStates().first { it is ConnectionState.Connected }
            return TwoUsers(me, other, team.id, shared)
        }
    }
}
