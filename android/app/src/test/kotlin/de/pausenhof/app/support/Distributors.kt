package de.pausenhof.app.support

import android.content.ComponentName
import android.content.IntentFilter
import android.content.pm.ApplicationInfo
import android.content.pm.PackageInfo
import org.robolectric.Shadows.shadowOf

/** A UnifiedPush distributor (ntfy, say) installed on the phone. */
fun ScreenTest.installDistributor(packageName: String, label: String) {
    val packageManager = shadowOf(app.packageManager)
    val application = ApplicationInfo().apply {
        this.packageName = packageName
        nonLocalizedLabel = label
    }
    packageManager.installPackage(
        PackageInfo().apply {
            this.packageName = packageName
            applicationInfo = application
        },
    )
    val receiver = ComponentName(packageName, "$packageName.RegisterReceiver")
    packageManager.addReceiverIfNotPresent(receiver)
    for (action in listOf("REGISTER", "UNREGISTER")) {
        packageManager.addIntentFilterForReceiver(receiver, IntentFilter("org.unifiedpush.android.distributor.$action"))
    }
}

/** The broadcasts the app sent to [packageName] with the distributor action [action]. */
fun ScreenTest.broadcastsTo(packageName: String, action: String) =
    shadowOf(app).broadcastIntents.filter {
        it.action == "org.unifiedpush.android.distributor.$action" && it.`package` == packageName
    }
