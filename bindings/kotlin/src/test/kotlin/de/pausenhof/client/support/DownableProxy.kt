package de.pausenhof.client.support

import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.Collections
import kotlin.concurrent.thread

/**
 * A loopback TCP forwarder in front of the test server that can play "the
 * server is down": [down] closes the listener and every open connection
 * (new ones are refused), [up] listens on the same port again.
 */
class DownableProxy(private val targetPort: Int) : AutoCloseable {
    private val open = Collections.synchronizedSet(mutableSetOf<Socket>())
    @Volatile private var listener: ServerSocket = bind(0)
    val port: Int = listener.localPort
    val url: String get() = "http://127.0.0.1:$port"

    init {
        accept(listener)
    }

    fun down() {
        listener.close()
        // Under the lock the accept thread takes: a connection accepted just
        // before the listener closed is either closed here or, seeing the
        // closed listener, by the accept thread; none stays usable.
        synchronized(open) { open.toList().also { open.clear() } }.forEach { runCatching { it.close() } }
    }

    fun up() {
        listener = bind(port)
        accept(listener)
    }

    override fun close() = down()

    private fun bind(port: Int) = ServerSocket().apply {
        reuseAddress = true
        bind(InetSocketAddress(InetAddress.getLoopbackAddress(), port))
    }

    private fun accept(socket: ServerSocket) = thread(isDaemon = true, name = "proxy-accept") {
        while (!socket.isClosed) {
            val client = runCatching { socket.accept() }.getOrNull() ?: break
            val upstream = runCatching { Socket(InetAddress.getLoopbackAddress(), targetPort) }.getOrNull()
            if (upstream == null) {
                client.close()
                continue
            }
            val kept = synchronized(open) {
                if (!socket.isClosed) {
                    open += client
                    open += upstream
                }
                !socket.isClosed
            }
            if (!kept) {
                client.close()
                upstream.close()
                break
            }
            pipe(client, upstream)
            pipe(upstream, client)
        }
    }

    private fun pipe(from: Socket, to: Socket) = thread(isDaemon = true, name = "proxy-pipe") {
        runCatching { from.getInputStream().transferTo(to.getOutputStream()) }
        runCatching { from.close() }
        runCatching { to.close() }
        open -= from
        open -= to
    }
}
