package de.pausenhof.app.ui

import android.app.Activity
import android.os.Bundle
import de.pausenhof.app.pausenhof
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/**
 * The base of every screen: a coroutine scope that lives as long as the
 * Activity and runs on the main thread, and the process's [Client].
 */
abstract class Screen : Activity() {
    lateinit var scope: CoroutineScope
        private set

    val client: Client get() = pausenhof.client

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        scope = MainScope()
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    /**
     * The account, reopened from disk when Android restored this screen in a
     * new process (after killing the app in the background), with the live
     * connection started. False, and back to the start, when nobody is
     * signed in.
     */
    protected suspend fun signedInAndLive(): Boolean {
        val user = client.currentUser() ?: try {
            client.restore()
        } catch (failure: ClientException) {
            null
        }
        if (user == null) {
            startOver()
            return false
        }
        try {
            client.startRealtime()
        } catch (failure: ClientException) {
            // Offline or not startable now: the screen still shows the cache.
        }
        return true
    }

    /** Runs [block] on the main thread for as long as the screen lives. */
    protected fun launch(block: suspend CoroutineScope.() -> Unit): Job = scope.launch(block = block)
}
