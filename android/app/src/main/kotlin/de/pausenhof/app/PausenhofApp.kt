package de.pausenhof.app

import android.app.Application
import de.pausenhof.app.platform.AppLifecycle
import de.pausenhof.app.platform.KeystoreSecretStore
import de.pausenhof.app.platform.Notifier
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientOptions
import de.pausenhof.ffi.SecretStore
import java.io.File
import java.util.Locale

/**
 * Owns the one [Client] of the process. Every screen reaches the core
 * through [client]; nothing else in the app talks to the server.
 */
open class PausenhofApp : Application() {

    @Volatile
    private var current: Client? = null

    override fun onCreate() {
        super.onCreate()
        Notifier(this).ensureChannels()
        AppLifecycle(this) { client }.install()
    }

    val client: Client
        get() = current ?: synchronized(this) {
            current ?: Client(
                ClientOptions(
                    dataDir = File(filesDir, "pausenhof").path,
                    deviceId = "",
                    extraRootCertificates = SchoolCertificates(this).all(),
                    // Texts the core makes (notifications, system posts) in the phone's language.
                    locale = Locale.getDefault().toLanguageTag(),
                ),
                createSecretStore(),
            ).also { current = it }
        }

    /** Where session tokens live: the Android Keystore; tests bring their own. */
    protected open fun createSecretStore(): SecretStore = KeystoreSecretStore(this)

    /**
     * Drops the client, e.g. after a school certificate was added (the core
     * reads extra roots once, when the client is made).
     */
    fun resetClient() {
        synchronized(this) {
            current?.let {
                it.stopRealtime()
                it.close()
            }
            current = null
        }
    }
}

/** The app's [PausenhofApp] from any context. */
val android.content.Context.pausenhof: PausenhofApp
    get() = applicationContext as PausenhofApp
