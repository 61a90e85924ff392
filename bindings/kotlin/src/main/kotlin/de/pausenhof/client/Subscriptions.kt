package de.pausenhof.client

import de.pausenhof.ffi.Client
import de.pausenhof.ffi.SessionState
import de.pausenhof.ffi.SessionStateListener
import de.pausenhof.ffi.TaskHandle
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/**
 * Turns a core subscription into a cold [Flow]: collecting subscribes,
 * cancelling the collector cancels and releases the [TaskHandle].
 *
 * Listener calls arrive on the core's threads and must not block them, so
 * values are handed over without suspending. [conflate] keeps only the
 * newest value (fine for states and snapshots); otherwise every value is
 * buffered (diffs must not be lost).
 */
internal fun <T> subscriptionFlow(
    conflate: Boolean,
    subscribe: (deliver: (T) -> Unit) -> TaskHandle,
): Flow<T> = callbackFlow {
    val handle = subscribe { value -> trySend(value) }
    awaitClose {
        handle.cancel()
        handle.close()
    }
}.buffer(if (conflate) Channel.CONFLATED else Channel.UNLIMITED)

/** The session state now, then every change (signed in, expired, signed out). */
fun Client.sessionStates(): Flow<SessionState> = subscriptionFlow(conflate = true) { deliver ->
    subscribeSessionState(object : SessionStateListener {
        override fun onSessionState(state: SessionState) = deliver(state)
    })
}
