package de.pausenhof.app

/**
 * The build from Google Play. What only the Play build carries lives in
 * this source set, which the F-Droid build never compiles.
 */
object Distribution {
    /** Shown in Settings, so a bug report says which build it came from. */
    const val NAME = "Google Play"
}
