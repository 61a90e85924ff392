package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.RadioButton
import android.widget.RadioGroup
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.app.platform.UnifiedPushDistributors
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.Delivery

/**
 * The explicit decision before anything is registered: what each way of
 * notifying reveals to whom, and three choices. The decision is recorded by
 * the core with [CONSENT_TEXT_VERSION], the version of the texts shown here.
 */
class ConsentActivity : Screen() {
    private lateinit var choices: RadioGroup
    private lateinit var error: TextView
    private lateinit var distributors: List<UnifiedPushDistributors.Distributor>
    private var chosenDistributor: String? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_consent)
        choices = findViewById(R.id.consent_choices)
        error = findViewById(R.id.consent_error)
        distributors = UnifiedPushDistributors.installed(this)
        showDistributors()
        findViewById<Button>(R.id.consent_confirm).setOnClickListener { confirm(it) }
    }

    private fun showDistributors() {
        val list = findViewById<RadioGroup>(R.id.consent_choices)
            .findViewById<android.widget.LinearLayout>(R.id.consent_distributors)
        val unifiedPush = findViewById<RadioButton>(R.id.consent_unifiedpush)
        if (distributors.isEmpty()) {
            unifiedPush.isEnabled = false
            list.addView(TextView(this).apply { setText(R.string.consent_unifiedpush_none) })
            return
        }
        val group = RadioGroup(this)
        distributors.forEach { distributor ->
            group.addView(
                RadioButton(this).apply {
                    text = distributor.label
                    minHeight = (48 * resources.displayMetrics.density).toInt()
                    setOnClickListener {
                        chosenDistributor = distributor.packageName
                        choices.check(R.id.consent_unifiedpush)
                    }
                },
            )
        }
        list.addView(group)
        chosenDistributor = distributors.singleOrNull()?.packageName
    }

    private fun confirm(button: View) {
        val choice = choices.checkedRadioButtonId
        if (choice == View.NO_ID) {
            error.setText(R.string.consent_choose_first)
            error.visibility = View.VISIBLE
            return
        }
        button.isEnabled = false
        launch {
            try {
                when (choice) {
                    R.id.consent_unifiedpush -> {
                        // A school without a push gateway cannot deliver
                        // this way: say so before anything is recorded.
                        client.pushGatewayVapidKey()
                        client.grantPushConsent(Delivery.UNIFIED_PUSH, CONSENT_TEXT_VERSION)
                        chosenDistributor?.let { UnifiedPushDistributors.choose(this@ConsentActivity, it) }
                    }
                    R.id.consent_background -> {
                        client.grantPushConsent(Delivery.BACKGROUND_CONNECTION, CONSENT_TEXT_VERSION)
                    }
                    else -> client.declinePushConsent()
                }
                Notifications.follow(this@ConsentActivity, client)
                startActivity(
                    Intent(this@ConsentActivity, HomeActivity::class.java)
                        .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK),
                )
                finish()
            } catch (failure: ClientException) {
                button.isEnabled = true
                error.text = describe(failure)
                error.visibility = View.VISIBLE
            }
        }
    }

    companion object {
        /** Change it whenever the texts of this screen change in substance. */
        const val CONSENT_TEXT_VERSION = "android-2026-12"
    }
}
