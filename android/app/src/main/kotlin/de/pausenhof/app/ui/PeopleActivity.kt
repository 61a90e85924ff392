package de.pausenhof.app.ui

import android.content.Intent
import android.os.Bundle
import android.text.Editable
import android.text.TextWatcher
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ListView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.FoundPerson
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay

/** Finds people in the school's directory by name; tapping one shows their profile. */
class PeopleActivity : Screen() {
    private lateinit var adapter: TwoLineAdapter<FoundPerson>
    private var query: Job? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setTitle(R.string.people_title)
        val field = EditText(this).apply {
            id = R.id.people_field
            setHint(R.string.people_hint)
            setSingleLine()
            minHeight = (48 * resources.displayMetrics.density).toInt()
            addTextChangedListener(object : TextWatcher {
                override fun beforeTextChanged(s: CharSequence?, start: Int, count: Int, after: Int) = Unit
                override fun onTextChanged(s: CharSequence?, start: Int, before: Int, count: Int) = Unit
                override fun afterTextChanged(text: Editable?) = find(text.toString().trim())
            })
        }
        adapter = TwoLineAdapter(
            this,
            title = { it.displayName.ifBlank { it.username } },
            subtitle = { person ->
                listOf(
                    person.position,
                    getString(if (person.deactivated) R.string.people_deactivated else presenceText(person.presence)),
                ).filter { it.isNotBlank() }.joinToString(" · ")
            },
        )
        val list = ListView(this).apply {
            id = R.id.people_list
            adapter = this@PeopleActivity.adapter
            setOnItemClickListener { _, _, position, _ ->
                startActivity(
                    Intent(this@PeopleActivity, ProfileActivity::class.java)
                        .putExtra(ProfileActivity.EXTRA_USER_ID, this@PeopleActivity.adapter.getItem(position).id),
                )
            }
        }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                addView(field)
                addView(list, LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, 0, 1f))
            },
        )
    }

    private fun find(term: String) {
        query?.cancel()
        if (term.isEmpty()) {
            adapter.show(emptyList())
            return
        }
        query = launch {
            // Waits for a pause in typing so that not every letter asks the server.
            delay(TYPING_PAUSE_MS)
            try {
                val me = client.currentUser()?.id
                adapter.show(client.searchPeople(term, "", LIMIT).filter { it.id != me })
            } catch (failure: ClientException) {
                Toast.makeText(this@PeopleActivity, describe(failure), Toast.LENGTH_LONG).show()
            }
        }
    }

    private companion object {
        const val LIMIT = 50u
        const val TYPING_PAUSE_MS = 300L
    }
}
