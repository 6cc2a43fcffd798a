//! `drydock schedule --html`: the page is opened in headless Chromium and
//! what it shows (after its script ran) is checked. Skipped, with a message,
//! when Chromium is not installed.

use std::path::PathBuf;
use std::process::Command;

/// The first Chromium binary found on PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .map(move |b| dir.join(b))
        })
        .find(|p| p.is_file())
}

#[test]
fn html_page_shows_nodes_pods_and_pending_reasons() {
    let Some(browser) = chromium() else {
        // CI installs Chromium and sets this, so the page is always checked there.
        assert!(
            std::env::var_os("DRYDOCK_REQUIRE_CHROMIUM").is_none(),
            "DRYDOCK_REQUIRE_CHROMIUM is set but no chromium is on PATH"
        );
        println!("skipping: chromium is not installed (apt-get install chromium)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("drydock-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let page = dir.join("schedule.html");
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new(env!("CARGO_BIN_EXE_drydock"))
        .current_dir(root)
        .args([
            "schedule",
            "fixtures/schedule/shop",
            "--nodes",
            "fixtures/schedule/nodes/cluster.yaml",
            "--html",
        ])
        .arg(&page)
        .output()
        .expect("drydock runs");
    assert_eq!(status.status.code(), Some(1), "a pod stays pending");
    let html = std::fs::read_to_string(&page).expect("page written");
    // Self-contained: nothing is fetched.
    for needle in ["http://", "https://", "<link", "src="] {
        assert!(!html.contains(needle), "the page references {needle}");
    }
    let out = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    // The script ran: the legend has one entry per workload with pods.
    assert!(dom.contains("data-legend-entries=\"4\""), "{dom}");
    for w in ["DaemonSet/node-agent", "StatefulSet/db", "Deployment/web"] {
        assert!(
            dom.contains(&format!("data-legend=\"{w}\"")),
            "legend lacks {w}"
        );
    }
    // One picture per node, with the pods stacked in it.
    for n in ["cp-1", "worker-1", "worker-2"] {
        assert!(
            dom.contains(&format!("data-node=\"{n}\"")),
            "no section for {n}"
        );
    }
    assert!(dom.contains("class=\"pod\" data-pod=\"metrics-0\""));
    assert!(dom.contains("aria-label=\"cpu 3600m of 3900m\""));
    assert!(dom.contains("3600m / 3900m (92%)"));
    // The pending pod with the scheduler's reason.
    assert!(dom.contains("<span class=\"bad\" id=\"pending-count\">1 pending</span>"));
    assert!(dom.contains("data-pod=\"db-2\"><strong>shop/db-2</strong>"));
    assert!(dom.contains(
        "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod anti-affinity rules, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }."
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
