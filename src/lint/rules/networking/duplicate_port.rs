use std::collections::HashMap;

use crate::diagnostic::Target;
use crate::lint::rules::workloads::{is_kind, ports};
use crate::lint::{Cx, PodSpec, Role, Rule, declare_rule};
use crate::yaml::Value;

declare_rule! {
    /// Ports and port names should be unique in a pod and in a Service.
    ///
    /// ## What it checks
    ///
    /// In a Pod or pod template: a port name declared twice by one container
    /// or by two containers, and a `containerPort` with the same protocol
    /// declared twice. In a Service: two ports with the same `port` and
    /// protocol, the same `name`, or the same `nodePort` and protocol.
    ///
    /// ## Why
    ///
    /// The API server rejects a container that names two ports alike and a
    /// Service with duplicate ports, names or node ports. Containers of a pod
    /// share one network namespace, so only one of two containers that
    /// declare the same port can listen on it (the other fails with
    /// `address already in use`), and a name declared by two containers
    /// makes Service `targetPort`s and NetworkPolicy ports that use it
    /// ambiguous.
    ///
    /// ## Failing example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     ports:
    ///     - {name: http, containerPort: 8080}
    ///   - name: metrics
    ///     image: example/exporter:0.9.0
    ///     ports:
    ///     - {name: http, containerPort: 8080}
    /// ```
    ///
    /// ## Fixed example
    ///
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx:1.27
    ///     ports:
    ///     - {name: http, containerPort: 8080}
    ///   - name: metrics
    ///     image: example/exporter:0.9.0
    ///     ports:
    ///     - {name: metrics, containerPort: 9100}
    /// ```
    pub struct DuplicatePort {
        id: "duplicate-port",
        category: Networking,
        severity: Error,
    }
}

impl DuplicatePort {
    fn check_service(&self, cx: &mut Cx<'_>) {
        let r = cx.object;
        let list = r
            .value
            .pointer("/spec/ports")
            .and_then(Value::as_seq)
            .unwrap_or_default();
        let mut numbers: HashMap<(i64, &str), usize> = HashMap::new();
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut node_ports: HashMap<(i64, &str), usize> = HashMap::new();
        for (i, p) in list.iter().enumerate() {
            let protocol = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
            let mut dup = |field: &str, first: Option<usize>, what: String| {
                if let Some(j) = first {
                    let location = r.location(&format!("/spec/ports/{j}/{field}"), Target::Value);
                    cx.report(
                        &format!("/spec/ports/{i}/{field}"),
                        Target::Value,
                        format!(
                            "{what} is used by Service ports {} and {}: the API server rejects duplicates",
                            j + 1,
                            i + 1
                        ),
                    )
                    .help("remove or change one of the two ports")
                    .related(location, "first used here");
                }
            };
            if let Some(n) = p.get("port").and_then(Value::as_i64) {
                let first = numbers.get(&(n, protocol)).copied();
                numbers.entry((n, protocol)).or_insert(i);
                dup("port", first, format!("port {n}/{protocol}"));
            }
            if let Some(name) = p.get("name").and_then(Value::as_str) {
                let first = names.get(name).copied();
                names.entry(name).or_insert(i);
                dup("name", first, format!("the name \"{name}\""));
            }
            if let Some(n) = p
                .get("nodePort")
                .and_then(Value::as_i64)
                .filter(|n| *n != 0)
            {
                let first = node_ports.get(&(n, protocol)).copied();
                node_ports.entry((n, protocol)).or_insert(i);
                dup("nodePort", first, format!("nodePort {n}/{protocol}"));
            }
        }
    }
}

impl Rule for DuplicatePort {
    fn check_object(&self, cx: &mut Cx<'_>) {
        if is_kind(cx.object, "Service") {
            self.check_service(cx);
        } else if let Some(pod) = cx.pod() {
            self.check_pod(cx, &pod);
        }
    }

    fn check_pod(&self, cx: &mut Cx<'_>, pod: &PodSpec<'_>) {
        // The first declaration of each port and name: (container, pointer).
        let mut numbers: HashMap<(i64, String), (String, String)> = HashMap::new();
        let mut names: HashMap<String, (String, usize, String)> = HashMap::new();
        for c in pod.containers() {
            if c.role == Role::Ephemeral {
                continue;
            }
            let who = c.describe();
            for p in ports(&c) {
                if let Some(name) = p.name {
                    let at = format!("{}/name", p.pointer);
                    match names.get(name) {
                        Some((first, index, pointer)) => {
                            let location = cx.object.location(pointer, Target::Value);
                            let (message, help) = if *index == c.index && *first == who {
                                (
                                    format!(
                                        "{who} names two ports \"{name}\": the API server rejects duplicate port names"
                                    ),
                                    "rename one of the two ports".to_owned(),
                                )
                            } else {
                                (
                                    format!(
                                        "port name \"{name}\" is declared by {first} and {who}: a Service targetPort or NetworkPolicy port \"{name}\" is ambiguous"
                                    ),
                                    "give each container's port its own name".to_owned(),
                                )
                            };
                            cx.report(&at, Target::Value, message)
                                .help(help)
                                .related(location, "first declared here");
                        }
                        None => {
                            names.insert(name.to_owned(), (who.clone(), c.index, at));
                        }
                    }
                }
                let Some(n) = p.number else {
                    continue;
                };
                let key = (n, p.protocol.to_owned());
                let at = format!("{}/containerPort", p.pointer);
                match numbers.get(&key) {
                    Some((first, pointer)) => {
                        let location = cx.object.location(pointer, Target::Value);
                        let message = if *first == who {
                            format!("{who} declares port {n}/{} twice", p.protocol)
                        } else {
                            format!(
                                "port {n}/{} is declared by {first} and {who}: containers share the pod's network, so only one of them can listen on it",
                                p.protocol
                            )
                        };
                        cx.report(&at, Target::Value, message)
                            .help("remove the duplicate, or move one container to another port")
                            .related(location, "first declared here");
                    }
                    None => {
                        numbers.insert(key, (who.clone(), at));
                    }
                }
            }
        }
    }
}
