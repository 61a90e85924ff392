package de.pausenhof.app.support

import org.robolectric.RuntimeEnvironment
import de.pausenhof.client.support.TestServer
import org.junit.After
import org.junit.AfterClass
import org.junit.BeforeClass

/**
 * The base of the screen tests: one test server per test class, a fresh
 * app (and so a fresh data folder and core client) per test.
 */
abstract class ScreenTest {
    val app: TestApp get() = RuntimeEnvironment.getApplication() as TestApp

    @After
    fun closeClient() {
        app.resetClient()
    }

    companion object {
        private var running: TestServer? = null

        val server: TestServer get() = running ?: TestServer.start().also { running = it }

        @JvmStatic
        @BeforeClass
        fun startServer() {
            running?.close()
            running = TestServer.start()
        }

        @JvmStatic
        @AfterClass
        fun stopServer() {
            running?.close()
            running = null
        }
    }
}
