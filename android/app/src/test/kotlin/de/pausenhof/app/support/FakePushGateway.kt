package de.pausenhof.app.support

import com.google.gson.JsonParser
import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import java.net.InetSocketAddress
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger

/**
 * The school's push gateway as the app's side sees it (registrations API
 * only): keeps what was registered, answers with a token and a secret,
 * and deletes only with the right secret.
 */
class FakePushGateway : AutoCloseable {
    data class Registration(val endpoint: String, val p256dh: String, val auth: String, val secret: String)

    val registrations = ConcurrentHashMap<String, Registration>()

    /** (token, bearer) of every deletion that matched. */
    val deleted = CopyOnWriteArrayList<Pair<String, String>>()
    val vapidRequests = AtomicInteger()
    private val issued = AtomicInteger()
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)

    val url: String get() = "http://127.0.0.1:${server.address.port}/gw"

    init {
        server.createContext("/gw/api/v1/unifiedpush/vapid") { exchange ->
            vapidRequests.incrementAndGet()
            exchange.answer(200, """{"public_key":"$VAPID_KEY"}""")
        }
        server.createContext("/gw/api/v1/unifiedpush/registrations") { exchange ->
            when (exchange.requestMethod) {
                "POST" -> register(exchange)
                "DELETE" -> unregister(exchange)
                else -> exchange.answer(405, "{}")
            }
        }
        server.start()
    }

    private fun register(exchange: HttpExchange) {
        val body = JsonParser.parseString(exchange.requestBody.readBytes().decodeToString()).asJsonObject
        val n = issued.incrementAndGet()
        registrations["gw$n"] = Registration(
            body["endpoint"].asString,
            body["p256dh"].asString,
            body["auth"].asString,
            "secret-$n",
        )
        exchange.answer(201, """{"token":"gw$n","secret":"secret-$n"}""")
    }

    private fun unregister(exchange: HttpExchange) {
        val token = exchange.requestURI.path.substringAfterLast('/')
        val bearer = exchange.requestHeaders.getFirst("Authorization")?.removePrefix("Bearer ") ?: ""
        val registration = registrations[token]
        when {
            registration == null -> exchange.answer(404, """{"error":"no such registration"}""")
            registration.secret != bearer -> exchange.answer(401, """{"error":"wrong secret"}""")
            else -> {
                registrations.remove(token)
                deleted += token to bearer
                exchange.answer(204, null)
            }
        }
    }

    private fun HttpExchange.answer(status: Int, json: String?) {
        val bytes = json?.toByteArray() ?: ByteArray(0)
        responseHeaders.add("Content-Type", "application/json")
        sendResponseHeaders(status, if (bytes.isEmpty()) -1 else bytes.size.toLong())
        if (bytes.isNotEmpty()) responseBody.use { it.write(bytes) }
        close()
    }

    override fun close() = server.stop(0)

    companion object {
        /** A valid P-256 public key (RFC 8291's example), as distributors check. */
        const val VAPID_KEY = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    }
}
