package de.pausenhof.app.ui

import android.os.Bundle
import android.widget.Button
import android.widget.LinearLayout
import android.widget.TextView
import android.widget.Toast
import de.pausenhof.app.R
import de.pausenhof.ffi.ClientException
import de.pausenhof.ffi.OwnStatus
import java.util.Calendar
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock

/**
 * The user's own status as the server has it, and the choices to change it.
 * "Do not disturb" ends by itself so that nobody stays unreachable by accident.
 */
class StatusActivity : Screen() {
    private lateinit var current: TextView

    // Taps in quick succession must reach the server in their order: the last one wins.
    private val changes = Mutex()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setTitle(R.string.status_title)
        current = TextView(this).apply {
            id = R.id.status_current
            textSize = 18f
        }
        val padding = (16 * resources.displayMetrics.density).toInt()
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(padding, padding, padding, padding)
                addView(current)
                choice(R.id.status_online, R.string.status_online) { OwnStatus.Online }
                choice(R.id.status_away, R.string.status_away) { OwnStatus.Away }
                choice(R.id.status_dnd_hour, R.string.status_dnd_hour) {
                    OwnStatus.DoNotDisturb(System.currentTimeMillis() + HOUR_MS)
                }
                choice(R.id.status_dnd_tomorrow, R.string.status_dnd_tomorrow) {
                    OwnStatus.DoNotDisturb(tomorrowMorning())
                }
                choice(R.id.status_offline, R.string.status_offline) { OwnStatus.Offline }
            },
        )
        launch { showCurrent() }
    }

    private fun LinearLayout.choice(id: Int, text: Int, status: () -> OwnStatus) {
        addView(
            Button(context).apply {
                this.id = id
                setText(text)
                minHeight = (48 * resources.displayMetrics.density).toInt()
                setOnClickListener { set(status()) }
            },
        )
    }

    private fun set(status: OwnStatus) {
        launch {
            changes.withLock {
                try {
                    client.setOwnStatus(status)
                } catch (failure: ClientException) {
                    Toast.makeText(this@StatusActivity, describe(failure), Toast.LENGTH_LONG).show()
                }
                showCurrent()
            }
        }
    }

    private suspend fun showCurrent() {
        val presence = try {
            client.ownStatus()
        } catch (failure: ClientException) {
            current.text = describe(failure)
            return
        }
        current.text = getString(R.string.status_current, getString(presenceText(presence)))
    }

    /** "Until tomorrow" means until school starts: 7 o'clock the next morning. */
    private fun tomorrowMorning(): Long = Calendar.getInstance().apply {
        add(Calendar.DAY_OF_YEAR, 1)
        set(Calendar.HOUR_OF_DAY, 7)
        set(Calendar.MINUTE, 0)
        set(Calendar.SECOND, 0)
        set(Calendar.MILLISECOND, 0)
    }.timeInMillis

    private companion object {
        const val HOUR_MS = 60 * 60 * 1000L
    }
}
