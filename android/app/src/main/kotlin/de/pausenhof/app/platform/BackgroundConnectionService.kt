package de.pausenhof.app.platform

import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.ServiceInfo
import android.os.Build
import android.os.IBinder
import de.pausenhof.app.R
import de.pausenhof.app.pausenhof
import de.pausenhof.client.backgroundNotifications
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.LifecycleEvent
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch

/**
 * "Only through the school's server": keeps the core's websocket open while
 * the app is in the background and shows what the core decides to notify.
 * Android requires a visible notification for this while it runs.
 */
class BackgroundConnectionService : Service() {
    private var scope: CoroutineScope? = null

    override fun onBind(intent: Intent?): IBinder? = null

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        val notifier = Notifier(this)
        notifier.ensureChannels()
        val ongoing = notifier.builder(Notifier.CHANNEL_CONNECTION)
            .setSmallIcon(android.R.drawable.stat_notify_sync_noanim)
            .setContentTitle(getString(R.string.app_name))
            .setContentText(getString(R.string.notification_background_running))
            .setOngoing(true)
            .build()
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.UPSIDE_DOWN_CAKE) {
            startForeground(ONGOING_ID, ongoing, ServiceInfo.FOREGROUND_SERVICE_TYPE_REMOTE_MESSAGING)
        } else {
            startForeground(ONGOING_ID, ongoing)
        }
        if (scope == null) {
            val running = CoroutineScope(SupervisorJob() + Dispatchers.Main)
            scope = running
            running.launch { follow(notifier) }
        }
        return START_STICKY
    }

    private suspend fun follow(notifier: Notifier) {
        val client = pausenhof.client
        try {
            if (client.currentUser() == null && client.restore() == null) return stopSelf()
            client.startRealtime()
            client.lifecycle(LifecycleEvent.KeepBackgroundConnection(true))
            client.backgroundNotifications().collect(notifier::show)
        } catch (failure: ClientException) {
            stopSelf()
        }
    }

    override fun onDestroy() {
        scope?.cancel()
        scope = null
        runCatching { pausenhof.client.lifecycle(LifecycleEvent.KeepBackgroundConnection(false)) }
        super.onDestroy()
    }

    companion object {
        private const val ONGOING_ID = 2

        fun start(context: Context) {
            val intent = Intent(context, BackgroundConnectionService::class.java)
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) context.startForegroundService(intent) else context.startService(intent)
        }

        fun stop(context: Context) {
            context.stopService(Intent(context, BackgroundConnectionService::class.java))
        }
    }
}
