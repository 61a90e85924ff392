// The Gradle build of the Android app: what F-Droid and Play build from.
// It reads the same source folders as the Maven check build (pom.xml), which
// runs where there is no Android SDK.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "pausenhof"
include(":app")
