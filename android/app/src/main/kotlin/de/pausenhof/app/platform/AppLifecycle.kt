package de.pausenhof.app.platform

import android.app.Activity
import android.app.Application
import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import android.os.Build
import android.os.Bundle
import de.pausenhof.app.systemService
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.LifecycleEvent

/**
 * Reports foreground/background and network changes to the core, which
 * decides what to do with the connection.
 */
class AppLifecycle(private val application: Application, private val client: () -> Client) :
    Application.ActivityLifecycleCallbacks {
    private var started = 0

    fun install() {
        application.registerActivityLifecycleCallbacks(this)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.N) {
            application.systemService<ConnectivityManager>(Context.CONNECTIVITY_SERVICE)
                .registerDefaultNetworkCallback(object : ConnectivityManager.NetworkCallback() {
                    private var current: Network? = null

                    override fun onAvailable(network: Network) {
                        val changed = current != null && current != network
                        current = network
                        report(if (changed) LifecycleEvent.NetworkChanged else LifecycleEvent.NetworkUp)
                    }

                    override fun onLost(network: Network) {
                        if (network == current) {
                            current = null
                            report(LifecycleEvent.NetworkDown)
                        }
                    }
                })
        }
    }

    private fun report(event: LifecycleEvent) {
        runCatching { client().lifecycle(event) }
    }

    override fun onActivityStarted(activity: Activity) {
        if (started++ == 0) report(LifecycleEvent.Foreground)
    }

    override fun onActivityStopped(activity: Activity) {
        if (--started == 0) report(LifecycleEvent.Background)
    }

    override fun onActivityCreated(activity: Activity, savedInstanceState: Bundle?) = Unit
    override fun onActivityResumed(activity: Activity) = Unit
    override fun onActivityPaused(activity: Activity) = Unit
    override fun onActivitySaveInstanceState(activity: Activity, outState: Bundle) = Unit
    override fun onActivityDestroyed(activity: Activity) = Unit
}
