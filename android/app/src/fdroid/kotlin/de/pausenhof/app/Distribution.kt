package de.pausenhof.app

/**
 * The build from F-Droid: UnifiedPush and the app's own background
 * connection only. Nothing of Google may be added to this source set.
 */
object Distribution {
    /** Shown in Settings, so a bug report says which build it came from. */
    const val NAME = "F-Droid"
}
