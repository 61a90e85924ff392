package de.pausenhof.app.ui

import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.TermsOfService

/**
 * The school's terms of service, which the server wants accepted before
 * anything else: accepting goes on, declining signs out and erases the
 * account on this phone (the core does both).
 */
class TermsActivity : Screen() {
    private lateinit var text: TextView
    private lateinit var accept: Button
    private lateinit var decline: Button
    private lateinit var error: TextView
    private var terms: TermsOfService? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_terms)
        text = findViewById(R.id.terms_text)
        accept = findViewById(R.id.terms_accept)
        decline = findViewById(R.id.terms_decline)
        error = findViewById(R.id.terms_error)
        enable(false)
        accept.setOnClickListener { answer(accepted = true) }
        decline.setOnClickListener { answer(accepted = false) }
        launch {
            try {
                val pending = client.pendingTermsOfService() ?: return@launch continueSignedIn(client)
                terms = pending
                text.text = MessageRenderer(this@TermsActivity).render(pending.message)
                enable(true)
            } catch (failure: ClientException) {
                show(failure)
            }
        }
    }

    private fun answer(accepted: Boolean) {
        val id = terms?.id ?: return
        enable(false)
        launch {
            try {
                if (accepted) {
                    client.acceptTermsOfService(id)
                    continueSignedIn(client)
                } else {
                    client.declineTermsOfService(id)
                    startOver()
                }
            } catch (failure: ClientException) {
                enable(true)
                show(failure)
            }
        }
    }

    private fun enable(on: Boolean) {
        accept.isEnabled = on
        decline.isEnabled = on
    }

    private fun show(failure: ClientException) {
        error.text = describe(failure)
        error.visibility = View.VISIBLE
    }
}
