package de.pausenhof.app.support

import de.pausenhof.client.support.Account
import de.pausenhof.client.support.TestServer
import de.pausenhof.client.support.newClient
import de.pausenhof.ffi.ChannelKind
import de.pausenhof.ffi.ChannelListItem
import de.pausenhof.ffi.Client
import kotlinx.coroutines.runBlocking

/** Someone else on another phone: a second, independent core client. */
class OtherUser(server: TestServer, account: Account) : AutoCloseable {
    val client: Client = newClient()

    init {
        runBlocking {
            client.signInWithPassword(server.url, account.username, account.password, null)
            client.sync()
        }
    }

    /** A public channel of the first team that both this user and [with] are in. */
    fun sharedChannel(with: Client): ChannelListItem = runBlocking {
        val team = client.teams().first()
        val mine = client.channelList(team.id).flatMap { it.channels }.map { it.id }.toSet()
        with.channelList(team.id).flatMap { it.channels }.first { it.id in mine && it.kind == ChannelKind.PUBLIC }
    }

    /** Posts and waits until the server confirmed it. */
    fun post(channelId: String, message: String) = runBlocking {
        client.startRealtime()
        val key = client.sendPost(channelId, "", message)
        val deadline = System.currentTimeMillis() + 20_000
        while (client.pendingSends().any { it.clientKey == key }) {
            check(System.currentTimeMillis() < deadline) { "the other user's post was not delivered" }
            Thread.sleep(20)
        }
    }

    /** How many copies of [message] the server has in the channel, as this user sees after a sync. */
    fun copiesOnServer(channelId: String, message: String): Int = runBlocking {
        client.sync()
        client.loadOlder(channelId)
        client.timeline(channelId, 200u).posts.count { it.message == message }
    }

    override fun close() {
        client.stopRealtime()
        client.close()
    }
}
