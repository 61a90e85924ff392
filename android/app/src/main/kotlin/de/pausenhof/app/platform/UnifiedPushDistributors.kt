package de.pausenhof.app.platform

import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager

/**
 * The UnifiedPush distributors installed on the phone (ntfy, NextPush, ...):
 * apps that answer the distributor's registration broadcast.
 */
object UnifiedPushDistributors {
    data class Distributor(val packageName: String, val label: String)

    private const val ACTION_REGISTER = "org.unifiedpush.android.distributor.REGISTER"
    private const val PREFERENCES = "pausenhof.push"
    private const val KEY_DISTRIBUTOR = "distributor"

    fun installed(context: Context): List<Distributor> {
        val packageManager = context.packageManager
        @Suppress("DEPRECATION")
        val receivers = packageManager.queryBroadcastReceivers(Intent(ACTION_REGISTER), PackageManager.GET_META_DATA)
        return receivers
            .mapNotNull { it.activityInfo }
            .filter { it.packageName != context.packageName }
            .map { Distributor(it.packageName, it.applicationInfo.loadLabel(packageManager).toString()) }
            .distinctBy { it.packageName }
            .sortedBy { it.label.lowercase() }
    }

    /** Remembers the distributor the user picked on the consent screen. */
    fun choose(context: Context, packageName: String) {
        context.getSharedPreferences(PREFERENCES, Context.MODE_PRIVATE).edit()
            .putString(KEY_DISTRIBUTOR, packageName).apply()
    }

    fun chosen(context: Context): String? =
        context.getSharedPreferences(PREFERENCES, Context.MODE_PRIVATE).getString(KEY_DISTRIBUTOR, null)
}
