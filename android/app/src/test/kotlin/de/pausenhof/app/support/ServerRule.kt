package de.pausenhof.app.support

import de.pausenhof.client.support.TestServer
import org.junit.rules.ExternalResource

/**
 * A test server of its own for a test class that needs one set up
 * differently from [ScreenTest.server] (single sign-on, terms of service,
 * HTTPS…): `@ClassRule @JvmField val sso = ServerRule("--sso")`.
 */
class ServerRule(private vararg val flags: String) : ExternalResource() {
    private var running: TestServer? = null

    val server: TestServer get() = running ?: error("the server runs only while the test class does")

    override fun before() {
        running = TestServer.start(extraArgs = flags.toList())
    }

    override fun after() {
        running?.close()
        running = null
    }
}
