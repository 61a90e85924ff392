package de.pausenhof.app.ui

import android.app.Activity
import android.os.Bundle
import de.pausenhof.app.pausenhof
import de.pausenhof.ffi.Client
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
    protected lateinit var scope: CoroutineScope
        private set

    protected val client: Client get() = pausenhof.client

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        scope = MainScope()
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    /** Runs [block] on the main thread for as long as the screen lives. */
    protected fun launch(block: suspend CoroutineScope.() -> Unit): Job = scope.launch(block = block)
}
