package de.pausenhof.client.support

import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlin.concurrent.thread

/**
 * A loopback TCP forwarder in front of the test server that holds back
 * every request whose bytes contain [marker] (e.g. `"POST /api/v4/users/logout"`)
 * until [release] is called: the request is "under way" and the server is
 * slow to answer. [stalled] counts down when the first such request arrives.
 */
class StallingProxy(private val targetPort: Int, private val marker: String) : AutoCloseable {
    private val open = Collections.synchronizedSet(mutableSetOf<Socket>())
    private val listener = ServerSocket().apply {
        reuseAddress = true
        bind(InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
    }
    private val released = CountDownLatch(1)

    /** Counts down when a request containing [marker] is being held. */
    val stalled = CountDownLatch(1)

    val url: String get() = "http://127.0.0.1:${listener.localPort}"

    init {
        thread(isDaemon = true, name = "stalling-proxy-accept") {
            while (!listener.isClosed) {
                val client = runCatching { listener.accept() }.getOrNull() ?: break
                val upstream = runCatching { Socket(InetAddress.getLoopbackAddress(), targetPort) }.getOrNull()
                if (upstream == null) {
                    client.close()
                    continue
                }
                open += client
                open += upstream
                pipe(client, upstream, inspect = true)
                pipe(upstream, client, inspect = false)
            }
        }
    }

    /** Lets held requests (and later ones) through. */
    fun release() = released.countDown()

    fun awaitStalled(seconds: Long): Boolean = stalled.await(seconds, TimeUnit.SECONDS)

    override fun close() {
        release()
        listener.close()
        synchronized(open) { open.toList() }.forEach { runCatching { it.close() } }
    }

    private fun pipe(from: Socket, to: Socket, inspect: Boolean) = thread(isDaemon = true, name = "stalling-proxy-pipe") {
        runCatching {
            val input = from.getInputStream()
            val output = to.getOutputStream()
            val buffer = ByteArray(64 * 1024)
            while (true) {
                val n = input.read(buffer)
                if (n < 0) break
                if (inspect && released.count > 0 && String(buffer, 0, n, Charsets.ISO_8859_1).contains(marker)) {
                    stalled.countDown()
                    released.await()
                }
                output.write(buffer, 0, n)
                output.flush()
            }
        }
        runCatching { from.close() }
        runCatching { to.close() }
        open -= from
        open -= to
    }
}
