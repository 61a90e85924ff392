package de.pausenhof.app.ui

import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.EditText
import android.widget.TextView
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException

/** Asks for first and last name when the profile lacks them (the schools require both). */
class FullNameActivity : Screen() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.screen_full_name)
        val first = findViewById<EditText>(R.id.full_name_first)
        val last = findViewById<EditText>(R.id.full_name_last)
        val error = findViewById<TextView>(R.id.full_name_error)
        val save = findViewById<Button>(R.id.full_name_save)
        client.currentUser()?.let { user ->
            if (first.text.isEmpty()) first.setText(user.firstName)
            if (last.text.isEmpty()) last.setText(user.lastName)
        }
        save.setOnClickListener {
            val firstName = first.text.toString().trim()
            val lastName = last.text.toString().trim()
            if (firstName.isEmpty() || lastName.isEmpty()) {
                error.setText(R.string.full_name_missing)
                error.visibility = View.VISIBLE
                return@setOnClickListener
            }
            save.isEnabled = false
            launch {
                try {
                    client.setFullName(firstName, lastName)
                    continueSignedIn(client)
                } catch (failure: ClientException) {
                    save.isEnabled = true
                    error.text = describe(failure)
                    error.visibility = View.VISIBLE
                }
            }
        }
    }
}
