package de.pausenhof.app

import android.app.Application
import de.pausenhof.app.platform.AppLifecycle
import de.pausenhof.app.platform.KeystoreSecretStore
import de.pausenhof.app.platform.Notifier
import de.pausenhof.ffi.Client
import de.pausenhof.ffi.ClientOptions
import de.pausenhof.ffi.SecretStore
import org.unifiedpush.android.connector.keys.DefaultKeyManager
import org.unifiedpush.android.connector.keys.KeyManager
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
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
                    pushGateway = pushGatewayAddress(),
                ),
                createSecretStore(),
            ).also { current = it }
        }

    /**
     * Work that must outlive the component that started it (a push, a new
     * endpoint from the distributor), for as long as the process lives.
     */
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** The school's push gateway when not below the server address; tests bring their own. */
    protected open fun pushGatewayAddress(): String = ""

    /**
     * Where the connector keeps the app's Web Push keys for UnifiedPush:
     * wrapped by the Android Keystore; tests bring their own.
     */
    open fun unifiedPushKeys(): KeyManager = DefaultKeyManager(this)

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
