package de.pausenhof.app

import android.content.Context
import android.os.Build
import android.view.View

// The app runs from Android 5 (API 21): these stand in for the newer calls
// that would crash there.

/** `Context.getColor` exists from API 23. */
fun Context.colorOf(id: Int): Int =
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.M) {
        getColor(id)
    } else {
        @Suppress("DEPRECATION")
        resources.getColor(id)
    }

/** `Context.getSystemService(Class)` exists from API 23. */
inline fun <reified T> Context.systemService(name: String): T = getSystemService(name) as T

/** Headings for TalkBack exist from API 28; older readers just read the text. */
fun View.markAsHeading() {
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) isAccessibilityHeading = true
}
