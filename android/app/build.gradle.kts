// The app as F-Droid and Play build it: the native core compiled from source
// with cargo-ndk, the UniFFI Kotlin generated from it, both under build/.
//
// Reproducible: the Rust toolchain, the NDK and cargo-ndk are pinned in
// gradle/libs.versions.toml, Cargo.lock is used as it is (--locked), paths
// are remapped out of the native code, and nothing carries a timestamp or
// the build machine's name.
//
// -Ppausenhof.abi=arm64-v8a builds one ABI only (F-Droid builds one APK per
// ABI, each with its own version code).
//
// The build type `lite` is the light build for old phones: the release build
// with the light core (cargo features: none of the default ones), 32- and
// 64-bit ARM only, its own application id so it installs beside the full app.

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
}

val repoRoot: File = rootDir.parentFile
val rustVersion: String = libs.versions.rust.get()

// The last digit of each APK's version code: a 64-bit APK outranks the
// 32-bit one on a phone that runs both.
val abiDigits = linkedMapOf("armeabi-v7a" to 1, "arm64-v8a" to 2, "x86_64" to 3)
val abis: List<String> =
    (findProperty("pausenhof.abi") as String?)
        ?.split(',')
        ?.map { it.trim() }
        ?.onEach { require(it in abiDigits) { "unknown ABI $it; one of ${abiDigits.keys}" } }
        ?: abiDigits.keys.toList()

// Old phones are ARM; an x86_64 Android device is an emulator or a new
// Chromebook, which the full build serves.
val liteAbis: List<String> = abis.filter { it != "x86_64" }

android {
    namespace = "de.pausenhof.app"
    compileSdk = libs.versions.compile.sdk.get().toInt()
    ndkVersion = libs.versions.ndk.get()

    defaultConfig {
        applicationId = "de.pausenhof.app"
        minSdk = libs.versions.min.sdk.get().toInt()
        targetSdk = libs.versions.target.sdk.get().toInt()
        versionCode = libs.versions.app.version.code.get().toInt()
        versionName = libs.versions.app.version.name.get()
        // English and German only: the app has no other translations, and
        // libraries' other languages would only add weight.
        resourceConfigurations += listOf("en", "de")
    }

    flavorDimensions += "store"
    productFlavors {
        // UnifiedPush and the background connection; nothing from Google.
        create("fdroid") { dimension = "store" }
        // The same app plus what only the Play build carries, in src/play.
        create("play") { dimension = "store" }
    }

    splits {
        abi {
            isEnable = true
            reset()
            include(*abis.toTypedArray())
            isUniversalApk = false
        }
    }

    sourceSets {
        getByName("main") {
            // The layout the Maven check build reads too.
            manifest.srcFile("src/main/AndroidManifest.xml")
            kotlin.srcDirs(
                "src/main/kotlin",
                "$repoRoot/bindings/kotlin/src/main/kotlin",
                layout.buildDirectory.dir("generated/uniffi/kotlin"),
            )
            res.srcDirs("src/main/res")
        }
        // The native library differs by build type: the full core or the light one.
        getByName("debug") { jniLibs.srcDirs(layout.buildDirectory.dir("rustJniLibs")) }
        getByName("release") { jniLibs.srcDirs(layout.buildDirectory.dir("rustJniLibs")) }
        maybeCreate("lite").jniLibs.srcDirs(layout.buildDirectory.dir("rustJniLibsLite"))
        getByName("fdroid") { kotlin.srcDirs("src/fdroid/kotlin") }
        getByName("play") { kotlin.srcDirs("src/play/kotlin") }
        getByName("test") { kotlin.srcDirs("src/test/kotlin") }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
        // The light build: shrunk like the release build (code and unused
        // resources; English and German only, as every build), over the
        // light core. A separate app for the store, so its version codes
        // follow the same scheme without meeting the full build's.
        create("lite") {
            initWith(getByName("release"))
            applicationIdSuffix = ".lite"
            versionNameSuffix = "-lite"
            matchingFallbacks += "release"
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    // No Google-encrypted dependency list in the signing block: F-Droid
    // cannot read it, and it makes the APK differ from a rebuild.
    dependenciesInfo {
        includeInApk = false
        includeInBundle = false
    }

    packaging {
        // The connector's and coroutines' metadata are of no use on a phone.
        resources.excludes += listOf("META-INF/*.version", "META-INF/*.kotlin_module", "DebugProbesKt.bin")
    }

    lint {
        // A lint rule new in some AGP release must not stop F-Droid's build
        // server from publishing; lint is a developer's tool here.
        checkReleaseBuilds = false
    }
}

androidComponents {
    // The light build's APKs: ARM only.
    onVariants(selector().withBuildType("lite")) { variant ->
        variant.outputs.forEach { output ->
            val abi = output.filters.find { it.filterType.name == "ABI" }?.identifier ?: return@forEach
            output.enabled.set(abi in liteAbis)
        }
    }
    onVariants { variant ->
        // Each ABI's APK gets a version code of its own; the base code
        // times ten keeps them above every code released before.
        variant.outputs.forEach { output ->
            val abi = output.filters.find { it.filterType.name == "ABI" }?.identifier ?: return@forEach
            output.versionCode.set(libs.versions.app.version.code.get().toInt() * 10 + abiDigits.getValue(abi))
        }
    }
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

dependencies {
    implementation(libs.kotlinx.coroutines.android)
    // The AAR flavour carries JNA's libjnidispatch.so for every Android ABI.
    implementation(libs.jna) { artifact { type = "aar" } }
    implementation(libs.androidx.annotation)
    implementation(libs.unifiedpush.connector)
}

// Commands run from the workspace root with the pinned Rust toolchain (rustup
// honours RUSTUP_TOOLCHAIN), build paths remapped out of the binaries.
// `linkFlags` go to the linker: the NDK's for Android, none for the host
// build (macOS's linker knows no `-z`).
fun cargoEnvironment(spec: ExecSpec, linkFlags: List<String> = emptyList()) {
    spec.workingDir = repoRoot
    spec.environment("RUSTUP_TOOLCHAIN", rustVersion)
    spec.environment("CARGO_TERM_COLOR", "never")
    val cargoHome = System.getenv("CARGO_HOME") ?: "${System.getProperty("user.home")}/.cargo"
    spec.environment(
        "RUSTFLAGS",
        (
            listOf(
                "--remap-path-prefix=$repoRoot=/pausenhof",
                "--remap-path-prefix=$cargoHome=/cargo",
            ) + linkFlags
        ).joinToString(" "),
    )
}

val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val rustJniLibsLite = layout.buildDirectory.dir("rustJniLibsLite")
val uniffiKotlin = layout.buildDirectory.dir("generated/uniffi/kotlin")

val checkRustToolchain by tasks.registering {
    description = "Fails unless rustc is the pinned version."
    doLast {
        val out = providers.exec {
            cargoEnvironment(this)
            commandLine("rustc", "--version")
        }.standardOutput.asText.get()
        check(out.startsWith("rustc $rustVersion ")) {
            "rustc is `${out.trim()}`, the build is pinned to $rustVersion (rustup toolchain install $rustVersion)"
        }
    }
}

// libpausenhof_ffi.so for each ABI, with the size-optimised `mobile` profile:
// the full core into build/rustJniLibs, the light one (no default cargo
// features) into build/rustJniLibsLite.
fun registerCargoNdk(
    name: String,
    outputDir: Provider<Directory>,
    targetAbis: List<String>,
    features: List<String>,
) = tasks.register(name, Exec::class) {
    description = "Builds the core for Android with cargo-ndk into ${outputDir.get().asFile.name}."
    dependsOn(checkRustToolchain)
    onlyIf { targetAbis.isNotEmpty() }
    inputs.files(fileTree(repoRoot) {
        include("Cargo.toml", "Cargo.lock", "core/**", "bindings/**")
        exclude("bindings/kotlin/**", "**/target/**")
    })
    outputs.dir(outputDir)
    // 16 KB pages (Android 15 on): harmless on 4 KB devices.
    cargoEnvironment(this, listOf("-Clink-arg=-Wl,-z,max-page-size=16384"))
    environment("ANDROID_NDK_HOME", android.ndkDirectory.absolutePath)
    val targets = targetAbis.flatMap { listOf("--target", it) }
    commandLine(
        listOf("cargo", "ndk") + targets + listOf(
            "--platform", libs.versions.min.sdk.get(),
            "--output-dir", outputDir.get().asFile.absolutePath,
            "build", "--package", "pausenhof-ffi", "--lib", "--profile", "mobile", "--locked",
        ) + features,
    )
}

val cargoNdk = registerCargoNdk("cargoNdk", rustJniLibs, abis, emptyList())
val cargoNdkLite = registerCargoNdk("cargoNdkLite", rustJniLibsLite, liteAbis, listOf("--no-default-features"))

// The Kotlin side of the FFI, generated from a host build of the same crate
// with the generator of the workspace (same UniFFI version as the library).
val uniffiBindings by tasks.registering(Exec::class) {
    description = "Generates the UniFFI Kotlin bindings into build/."
    dependsOn(checkRustToolchain)
    inputs.files(fileTree(repoRoot) {
        include("Cargo.toml", "Cargo.lock", "core/**", "bindings/**")
        exclude("bindings/kotlin/**", "**/target/**")
    })
    outputs.dir(uniffiKotlin)
    cargoEnvironment(this)
    val hostTarget = layout.buildDirectory.dir("host-cargo").get().asFile
    environment("CARGO_TARGET_DIR", hostTarget.absolutePath)
    val library = when {
        System.getProperty("os.name").startsWith("Mac") -> "libpausenhof_ffi.dylib"
        System.getProperty("os.name").startsWith("Windows") -> "pausenhof_ffi.dll"
        else -> "libpausenhof_ffi.so"
    }
    doFirst { delete(uniffiKotlin) }
    // One shell line: build, then generate from what was built.
    commandLine(
        "sh", "-c",
        "cargo build --locked --package pausenhof-ffi --package uniffi-bindgen && " +
            "\"$hostTarget/debug/uniffi-bindgen\" generate \"$hostTarget/debug/$library\" " +
            "--language kotlin --no-format --out-dir \"${uniffiKotlin.get().asFile}\"",
    )
}

tasks.matching { it.name.startsWith("merge") && it.name.endsWith("JniLibFolders") }.configureEach {
    dependsOn(if (name.contains("Lite")) cargoNdkLite else cargoNdk)
}
tasks.matching { it.name.startsWith("compile") && it.name.endsWith("Kotlin") }.configureEach {
    dependsOn(uniffiBindings)
}

// The ART baseline profile differs from build to build; F-Droid's
// reproducible-build check compares byte for byte.
tasks.matching { it.name.contains("ArtProfile") }.configureEach { enabled = false }
