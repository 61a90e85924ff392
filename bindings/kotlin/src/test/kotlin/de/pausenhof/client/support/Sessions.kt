package de.pausenhof.client.support

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/**
 * Runs a test body in a coroutine. Returns Unit on purpose: JUnit silently
 * skips test methods that return a value, which `= runBlocking { ... }`
 * ending in an expression would do. The timeout only turns a hang into a
 * failure.
 */
fun runSession(block: suspend CoroutineScope.() -> Unit) {
    runBlocking { withTimeout(60_000) { block() } }
}
