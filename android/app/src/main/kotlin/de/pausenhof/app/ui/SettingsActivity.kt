package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.text.format.DateFormat
import android.view.View
import android.widget.Button
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.Distribution
import de.pausenhof.app.R
import de.pausenhof.app.colorOf
import de.pausenhof.app.markAsHeading
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.ConsentState
import de.pausenhof.ffi.Delivery
import de.pausenhof.ffi.libraryVersion
import java.util.Date
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * The account, the other accounts on this phone (switch to one, sign out of
 * one, add one), the notification decision with its log (withdrawn here
 * with immediate effect), signing out (which erases the account's data on
 * this phone) and the versions.
 */
class SettingsActivity : Screen() {
    private lateinit var accounts: LinearLayout
    private lateinit var consent: TextView
    private lateinit var log: TextView
    private lateinit var withdraw: Button

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setTitle(R.string.settings_title)
        val padding = (16 * resources.displayMetrics.density).toInt()
        val account = TextView(this).apply {
            val user = client.currentUser()
            text = getString(R.string.settings_account, user?.let { "${it.firstName} ${it.lastName} (@${it.username})" } ?: "")
        }
        val heading = TextView(this).apply {
            setText(R.string.settings_notifications)
            markAsHeading()
            setPadding(0, padding, 0, 0)
            textSize = 18f
        }
        val accountsHeading = TextView(this).apply {
            setText(R.string.settings_accounts)
            markAsHeading()
            setPadding(0, padding, 0, 0)
            textSize = 18f
        }
        accounts = LinearLayout(this).apply {
            id = R.id.settings_accounts
            orientation = LinearLayout.VERTICAL
        }
        val addAccount = Button(this).apply {
            id = R.id.settings_add_account
            setText(R.string.settings_add_account)
            // Signing in there adds the account and shows it.
            setOnClickListener { startActivity(Intent(this@SettingsActivity, ServerActivity::class.java)) }
        }
        consent = TextView(this).apply { id = R.id.settings_consent }
        log = TextView(this).apply { setTextColor(colorOf(R.color.text_secondary)) }
        withdraw = Button(this).apply {
            id = R.id.settings_withdraw
            setText(R.string.settings_withdraw)
            setOnClickListener { withdrawConsent() }
        }
        val change = Button(this).apply {
            id = R.id.settings_change_consent
            setText(R.string.settings_change_consent)
            setOnClickListener { startActivity(Intent(this@SettingsActivity, ConsentActivity::class.java)) }
        }
        val privacyHeading = TextView(this).apply {
            setText(R.string.settings_privacy)
            setPadding(0, padding, 0, 0)
            markAsHeading()
        }
        val export = Button(this).apply {
            id = R.id.settings_export
            setText(R.string.settings_export)
            setOnClickListener { chooseExportFile() }
        }
        val signOut = Button(this).apply {
            id = R.id.settings_sign_out
            setText(R.string.settings_sign_out)
            setOnClickListener { signOut(this) }
        }
        val about = TextView(this).apply {
            text = getString(R.string.settings_about, Distribution.NAME, libraryVersion())
            setPadding(0, padding, 0, 0)
            setTextColor(colorOf(R.color.text_secondary))
        }
        setContentView(
            ScrollView(this).apply {
                addView(
                    LinearLayout(this@SettingsActivity).apply {
                        orientation = LinearLayout.VERTICAL
                        setPadding(padding, padding, padding, padding)
                        listOf(
                            account, accountsHeading, accounts, addAccount, heading, consent, log, withdraw, change,
                            privacyHeading, export, signOut, about,
                        )
                            .forEach(::addView)
                    },
                )
            },
        )
    }

    override fun onResume() {
        super.onResume()
        showAccounts()
        launch { showConsent() }
    }

    /** One row per account: who and where; switch to or sign out of the ones not shown. */
    private fun showAccounts() {
        accounts.removeAllViews()
        val list = try {
            client.accounts()
        } catch (failure: ClientException) {
            accounts.addView(TextView(this).apply { text = describe(failure) })
            return
        }
        for (entry in list) {
            val host = entry.serverUrl.substringAfter("://").trimEnd('/')
            accounts.addView(
                TextView(this).apply {
                    text = getString(
                        if (entry.active) R.string.settings_account_active else R.string.settings_account_row,
                        entry.displayName,
                        entry.username,
                        host,
                    )
                },
            )
            if (entry.active) continue
            accounts.addView(
                Button(this).apply {
                    tag = "switch:${entry.key}"
                    setText(R.string.settings_switch_account)
                    setOnClickListener { switchTo(entry.key, this) }
                },
            )
            accounts.addView(
                Button(this).apply {
                    tag = "sign-out:${entry.key}"
                    setText(R.string.settings_sign_out_account)
                    setOnClickListener { signOutOf(entry.key, this) }
                },
            )
        }
    }

    private fun switchTo(key: String, button: View) {
        button.isEnabled = false
        launch {
            try {
                client.switchAccount(key)
                Notifications.follow(this@SettingsActivity, client)
                continueSignedIn(client)
            } catch (failure: ClientException) {
                button.isEnabled = true
                Toast.makeText(this@SettingsActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    private fun signOutOf(key: String, button: View) {
        button.isEnabled = false
        launch {
            try {
                client.signOutAccount(key)
            } catch (failure: ClientException) {
                Toast.makeText(this@SettingsActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
            showAccounts()
        }
    }

    private suspend fun showConsent() {
        try {
            val state = client.pushStatus().consent
            consent.text = consentText(state)
            withdraw.visibility = if (state is ConsentState.Granted) View.VISIBLE else View.GONE
            log.text = getString(R.string.settings_consent_log, client.pushConsentLog().size)
        } catch (failure: ClientException) {
            consent.text = describe(failure)
        }
    }

    private fun consentText(state: ConsentState): String = when (state) {
        is ConsentState.NotAsked -> getString(R.string.settings_consent_not_asked)
        is ConsentState.Granted -> getString(
            when (state.delivery) {
                Delivery.UNIFIED_PUSH -> R.string.settings_consent_granted_unifiedpush
                Delivery.BACKGROUND_CONNECTION -> R.string.settings_consent_granted_background
                Delivery.PLATFORM_PUSH -> R.string.settings_consent_granted_platform
            },
            date(state.at),
        )
        is ConsentState.Declined -> getString(R.string.settings_consent_declined, date(state.at))
        is ConsentState.Withdrawn -> getString(R.string.settings_consent_withdrawn, date(state.at))
    }

    private fun date(millis: Long): String = DateFormat.getDateFormat(this).format(Date(millis))

    /** The user picks where the export goes (GDPR Art. 20); nothing is kept elsewhere. */
    private fun chooseExportFile() {
        val pick = Intent(Intent.ACTION_CREATE_DOCUMENT)
            .addCategory(Intent.CATEGORY_OPENABLE)
            .setType("application/json")
            .putExtra(Intent.EXTRA_TITLE, EXPORT_FILE_NAME)
        startActivityForResult(pick, REQUEST_EXPORT)
    }

    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        val target = data?.data
        if (requestCode != REQUEST_EXPORT || resultCode != RESULT_OK || target == null) return
        launch {
            val written = try {
                val export = client.exportMyData()
                withContext(Dispatchers.IO) {
                    contentResolver.openOutputStream(target)?.use { it.write(export.toByteArray()) } != null
                }
            } catch (failure: ClientException) {
                Toast.makeText(this@SettingsActivity, describe(failure), Toast.LENGTH_LONG).show()
                return@launch
            } catch (failure: java.io.IOException) {
                false
            }
            val said = if (written) R.string.settings_export_done else R.string.settings_export_failed
            Toast.makeText(this@SettingsActivity, said, Toast.LENGTH_LONG).show()
        }
    }

    private fun withdrawConsent() {
        withdraw.isEnabled = false
        launch {
            try {
                client.withdrawPushConsent()
                Notifications.withdrawn(this@SettingsActivity, client)
            } catch (failure: ClientException) {
                Toast.makeText(this@SettingsActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
            withdraw.isEnabled = true
            showConsent()
        }
    }

    private fun signOut(button: View) {
        button.isEnabled = false
        launch {
            try {
                client.signOut()
                // Another account on this phone is shown next, if any.
                if (client.currentUser() == null) {
                    Notifications.stopAll(this@SettingsActivity)
                    startOver()
                } else {
                    Notifications.follow(this@SettingsActivity, client)
                    continueSignedIn(client)
                }
            } catch (failure: ClientException) {
                button.isEnabled = true
                Toast.makeText(this@SettingsActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    companion object {
        const val REQUEST_EXPORT = 41
        const val EXPORT_FILE_NAME = "pausenhof-meine-daten.json"
    }
}
