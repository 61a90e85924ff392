package de.pausenhof.app.support

import android.app.Activity
import android.content.Intent
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.TextView
import org.robolectric.Robolectric
import org.robolectric.Shadows.shadowOf
import org.robolectric.android.controller.ActivityController

/**
 * Waits until [condition] holds while letting the main thread run: the core
 * answers on its own threads and the screens continue on the main looper,
 * which Robolectric runs only when asked.
 */
fun waitUntil(what: String, timeoutMs: Long = 20_000, condition: () -> Boolean) {
    val deadline = System.currentTimeMillis() + timeoutMs
    while (true) {
        shadowOf(Looper.getMainLooper()).idle()
        if (condition()) return
        if (System.currentTimeMillis() > deadline) throw AssertionError("timed out waiting until $what")
        Thread.sleep(20)
    }
}

/** Starts an Activity as the launcher or another screen would, and keeps it resumed. */
inline fun <reified A : Activity> launch(intent: Intent? = null): ActivityController<A> {
    val controller = if (intent == null) Robolectric.buildActivity(A::class.java) else Robolectric.buildActivity(A::class.java, intent)
    return controller.setup()
}

/** The next Activity a screen started, or null. */
fun Activity.startedNext(): Intent? = shadowOf(this).peekNextStartedActivity()

/** Every text on screen, in drawing order: what a person (or TalkBack) reads. */
fun View.allTexts(): List<String> = when {
    this is TextView && visibility == View.VISIBLE -> listOf(text.toString())
    this is ViewGroup && visibility == View.VISIBLE -> (0 until childCount).flatMap { getChildAt(it).allTexts() }
    else -> emptyList()
}

fun Activity.screenText(): String = window.decorView.allTexts().joinToString("\n")

/** Follows the Activity a screen started: builds and resumes it. */
fun <A : Activity> Activity.follow(expected: Class<A>): ActivityController<A> {
    val next = shadowOf(this).nextStartedActivity ?: throw AssertionError("${javaClass.simpleName} started nothing")
    val started = next.component?.className
    if (started != expected.name) throw AssertionError("expected ${expected.simpleName}, ${javaClass.simpleName} started $started")
    return Robolectric.buildActivity(expected, next).setup()
}
