//! The worker's denoiser work (not in the sketch page's build, which runs no denoiser): a
//! photo's tiles one at a time, between the worker's messages, and the partner worker that
//! cleans half of them at the same time.

use super::*;
use playground_core::denoise::{self, Cleaning, Plane, Share};
use playground_core::input::CleanOptions;
use playground_core::protocol::{Cleaned, FromPartner, ToPartner};
use web_sys::ErrorEvent;

/// Decodes the photo and runs its tiles one by one, reporting each; the worker reads its
/// messages before the decoding and between two tiles (a `Cancel`, a newer `Clean`, another
/// page's request), so a cancelled or superseded cleaning costs at most one tile. With a
/// partner worker ready, the second half of the tiles runs there at the same time.
pub(super) async fn clean(
    state: Rc<RefCell<State>>,
    id: RequestId,
    model: String,
    photo: Vec<u8>,
    options: CleanOptions,
) {
    let started = now_ms();
    let cancelled = || !state.borrow().cleaning.contains(&id);
    let failed = |message: String| {
        state.borrow_mut().cleaning.retain(|&r| r != id);
        reply(id, Reply::Failed(message))
    };
    yield_to_messages().await;
    if cancelled() {
        return reply(id, Reply::Cancelled);
    }
    let job = working_on(id, || state.borrow().engine.start_cleaning(&model, &photo, options));
    drop(photo);
    let mut job = match job {
        Ok(job) => job,
        Err(e) => return failed(e.to_string()),
    };
    let total = job.cleaning.progress().1;
    let lent = Partner::lend(&state, &model, &mut job.cleaning);
    let lent_id = lent.as_ref().map(|l| l.0);
    let progress = |done: usize| {
        if done < total {
            reply(id, Reply::Progress { loaded: done as u64, total: Some(total as u64) });
        }
    };
    let stopped = |stop: Stop| match stop {
        Stop::Cancelled => reply(id, Reply::Cancelled),
        Stop::Failed(message) => failed(message),
    };
    let ran = run_tiles(&state, id, &model, &mut job.cleaning, |c| {
        progress(c.progress().0 + Partner::done(&state, lent_id))
    })
    .await;
    if let Err(stop) = ran {
        Partner::cancel(&state, lent_id);
        return stopped(stop);
    }
    let mut cores = 1;
    if let Some((pid, share)) = lent {
        // The partner's half: waited for, or run here if the partner failed.
        let theirs = loop {
            let Some(inbox) = state.borrow().partner.as_ref().map(|p| p.inbox.clone()) else { break None };
            let news = inbox.borrow_mut().news.get_mut(&pid).map(|n| (n.outcome.take(), n.done));
            match news {
                None => break None, // the partner died
                Some((Some(outcome), _)) => {
                    inbox.borrow_mut().news.remove(&pid);
                    break outcome.ok();
                }
                Some((None, done)) => progress(job.cleaning.progress().0 + done),
            }
            if cancelled() {
                Partner::cancel(&state, Some(pid));
                return reply(id, Reply::Cancelled);
            }
            Inbox::next(&inbox).await;
        };
        if theirs.is_some_and(|planes| job.cleaning.absorb(&share, &planes).is_ok()) {
            cores = 2;
        } else {
            Partner::start(&state, &model); // replaces a dead one, for the next photo
            let mut here = match working_on(id, || state.borrow().engine.clean_share(&model, share.clone())) {
                Ok(here) => here,
                Err(e) => return failed(e.to_string()),
            };
            let ours = job.cleaning.progress().0;
            if let Err(stop) =
                run_tiles(&state, id, &model, &mut here, |c| progress(ours + c.progress().0)).await
            {
                return stopped(stop);
            }
            if let Err(e) = job.cleaning.absorb(&share, &here.result().expect("every tile ran")) {
                return failed(e.to_string());
            }
        }
    }
    state.borrow_mut().cleaning.retain(|&r| r != id);
    let (sigma, shrunk_from) = (job.sigma, job.shrunk_from);
    let (before, after) = job.finish().expect("every tile ran");
    reply(
        id,
        Reply::Cleaned(Cleaned {
            width: before.width(),
            height: before.height(),
            before: denoise::rgba(&before),
            after: denoise::rgba(&after),
            sigma,
            shrunk_from,
            tiles: total as u32,
            cores,
            millis: now_ms() - started,
        }),
    );
}

/// The partner's side of the work: listens for [`ToPartner`] instead of page requests.
pub(super) fn serve_as_partner() {
    std::panic::set_hook(Box::new(|_| tell(&FromPartner::Panicked)));
    let state = Rc::new(RefCell::new(State::default()));
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        match protocol::decode::<ToPartner>(&Uint8Array::new(&event.data()).to_vec()) {
            Ok(ToPartner::Load { model }) => spawn_local(partner_load(state.clone(), model)),
            Ok(ToPartner::Clean { id, model, share }) => {
                state.borrow_mut().cleaning.push(id);
                spawn_local(clean_share(state.clone(), id, model, share));
            }
            Ok(ToPartner::Cancel { id }) => state.borrow_mut().cleaning.retain(|&r| r != id),
            Ok(ToPartner::Panic) => panic!("sabotage requested by the page"),
            Err(message) => tell(&FromPartner::Failed { id: None, message }),
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    tell(&FromPartner::Ready);
}

/// The partner to its worker, the buffer transferred.
fn tell(news: &FromPartner) {
    let bytes = Uint8Array::from(protocol::encode(news).as_slice());
    let _ = scope().post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()));
}

async fn partner_load(state: Rc<RefCell<State>>, model: String) {
    let loaded = state.borrow().engine.get(model.as_str()).is_ok();
    let result = if loaded { Ok(()) } else { fetch_and_install(&state, &model).await.map(|_| ()) };
    tell(&match result {
        Ok(()) => FromPartner::Loaded { model },
        Err(message) => FromPartner::Failed { id: None, message },
    });
}

/// The tiles of a [`Share`] (a `Cancel` ends it silently), then their planes back.
async fn clean_share(state: Rc<RefCell<State>>, id: RequestId, model: String, share: Share) {
    let done = |news: FromPartner| {
        state.borrow_mut().cleaning.retain(|&r| r != id);
        tell(&news)
    };
    let failed = |message: String| FromPartner::Failed { id: Some(id), message };
    let mut cleaning = match state.borrow().engine.clean_share(&model, share) {
        Ok(cleaning) => cleaning,
        Err(e) => return done(failed(e.to_string())),
    };
    let ran = run_tiles(&state, id, &model, &mut cleaning, |c| {
        tell(&FromPartner::Progress { id, done: c.progress().0 as u32 })
    })
    .await;
    match ran {
        Ok(()) => done(FromPartner::Cleaned { id, planes: cleaning.result().expect("every tile ran") }),
        Err(Stop::Cancelled) => {}
        Err(Stop::Failed(message)) => done(failed(message)),
    }
}

/// Why [`run_tiles`] stopped before the last tile.
enum Stop {
    Cancelled,
    Failed(String),
}

/// Runs `cleaning`'s tiles for request `id` one at a time, reading this worker's messages before
/// each (a `Cancel` stops it there); `after` is told after each tile. The worker's own half, a
/// partner's half, and a dead partner's half run here all go through it.
async fn run_tiles(
    state: &Rc<RefCell<State>>,
    id: RequestId,
    model: &str,
    cleaning: &mut Cleaning,
    mut after: impl FnMut(&Cleaning),
) -> Result<(), Stop> {
    while !cleaning.finished() {
        yield_to_messages().await;
        if !state.borrow().cleaning.contains(&id) {
            return Err(Stop::Cancelled);
        }
        working_on(id, || state.borrow().engine.clean_step(model, cleaning))
            .map_err(|e| Stop::Failed(e.to_string()))?;
        after(cleaning);
    }
    Ok(())
}

/// What a partner said about one share: tiles done, and its outcome once final.
#[derive(Default)]
struct News {
    done: usize,
    outcome: Option<Result<Vec<Plane>, String>>,
}

/// The partner's news by request, and the cleaning waiting for more (at most one waits at a
/// time: a newer `Clean` cancels the older).
#[derive(Default)]
pub(super) struct Inbox {
    news: std::collections::HashMap<RequestId, News>,
    /// Models the partner has loaded: it gets shares of these only.
    loaded: Vec<String>,
    dead: bool,
    waiting: Vec<js_sys::Function>,
}

impl Inbox {
    pub(super) fn wake(inbox: &Rc<RefCell<Inbox>>) {
        let waiting = std::mem::take(&mut inbox.borrow_mut().waiting);
        for resolve in waiting {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }

    /// Resolves at the partner's next message (or a `Cancel` to this worker).
    async fn next(inbox: &Rc<RefCell<Inbox>>) {
        let promise = js_sys::Promise::new(&mut |resolve, _| inbox.borrow_mut().waiting.push(resolve));
        let _ = JsFuture::from(promise).await;
    }
}

/// A second instance of this worker, on the device's other core: a photo's tiles are
/// independent, so half of them run there ([`Cleaning::share`]). Started when a denoiser is
/// loaded, so it is ready before the first photo; not in a partner itself, nor on a one-core
/// device. A partner that fails or dies costs nothing but time: its tiles run here. Spoken to in
/// [`ToPartner`] / [`FromPartner`], not the page's protocol (see there why).
pub(super) struct Partner {
    worker: web_sys::Worker,
    /// Messages sent before the partner said `Ready`; `None` once it has.
    queue: Rc<RefCell<Option<Vec<ToPartner>>>>,
    next_id: RequestId,
    pub(super) inbox: Rc<RefCell<Inbox>>,
    _onmessage: Closure<dyn Fn(MessageEvent)>,
    _onerror: Closure<dyn Fn(ErrorEvent)>,
}

impl Drop for Partner {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

impl Partner {
    /// The same module script as this worker (static/worker_loader.js), in the partner's role.
    const URL: &'static str = "./worker_loader.js?role=partner";

    /// Whether this worker is a partner.
    pub(super) fn is_me() -> bool {
        Reflect::get(&scope(), &"location".into())
            .and_then(|l| Reflect::get(&l, &"search".into()))
            .ok()
            .and_then(|s| s.as_string())
            .is_some_and(|s| s.contains("role=partner"))
    }

    fn spawn() -> Option<Partner> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(Self::URL, &options).ok()?;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let queue: Rc<RefCell<Option<Vec<ToPartner>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let hear = {
            let (inbox, queue, worker) = (inbox.clone(), queue.clone(), worker.clone());
            move |news: FromPartner| {
                {
                    let mut i = inbox.borrow_mut();
                    if i.dead {
                        // A wasm instance that trapped can still answer; nothing it says counts.
                        return;
                    }
                    match news {
                        FromPartner::Ready => {
                            for message in queue.borrow_mut().take().unwrap_or_default() {
                                post_to(&worker, &message);
                            }
                        }
                        FromPartner::Loaded { model } => i.loaded.push(model),
                        FromPartner::Progress { id, done } => {
                            if let Some(news) = i.news.get_mut(&id) {
                                news.done = news.done.max(done as usize);
                            }
                        }
                        FromPartner::Cleaned { id, planes } => {
                            i.news.entry(id).or_default().outcome = Some(Ok(planes));
                        }
                        FromPartner::Failed { id: Some(id), message } => {
                            i.news.entry(id).or_default().outcome = Some(Err(message));
                        }
                        FromPartner::Failed { id: None, .. } => {} // a model it did not load: not lent
                        FromPartner::Panicked => {
                            i.dead = true;
                            i.news.clear();
                        }
                    }
                }
                Inbox::wake(&inbox);
            }
        };
        let hear = Rc::new(hear);
        let onmessage = {
            let hear = hear.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let bytes = Uint8Array::new(&event.data()).to_vec();
                hear(protocol::decode::<FromPartner>(&bytes).unwrap_or(FromPartner::Panicked));
            })
        };
        let onerror = Closure::<dyn Fn(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default(); // handled: its tiles run here
            hear(FromPartner::Panicked);
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        Some(Partner { worker, queue, next_id: 1, inbox, _onmessage: onmessage, _onerror: onerror })
    }

    pub(super) fn send(&self, message: ToPartner) {
        match self.queue.borrow_mut().as_mut() {
            Some(pending) => pending.push(message),
            None => post_to(&self.worker, &message),
        }
    }

    /// Starts a partner if there is none (or a dead one), and has it load `model`.
    pub(super) fn start(state: &Rc<RefCell<State>>, model: &str) {
        let cores = Reflect::get(&scope(), &"navigator".into())
            .and_then(|n| Reflect::get(&n, &"hardwareConcurrency".into()))
            .ok()
            .and_then(|c| c.as_f64())
            .unwrap_or(1.0);
        if cores < 2.0 {
            return;
        }
        let mut s = state.borrow_mut();
        if s.partner.as_ref().is_some_and(|p| p.inbox.borrow().dead) {
            s.partner = None; // dropped: terminated
        }
        if s.partner.is_none() {
            s.partner = Partner::spawn();
        }
        if let Some(partner) = s.partner.as_ref() {
            partner.send(ToPartner::Load { model: model.to_string() });
        }
    }

    /// Hands the second half of `cleaning`'s tiles to the partner, if one has `model` loaded.
    fn lend(state: &Rc<RefCell<State>>, model: &str, cleaning: &mut Cleaning) -> Option<(RequestId, Share)> {
        if state.borrow().partner.as_ref().is_some_and(|p| p.inbox.borrow().dead) {
            Partner::start(state, model); // a new one, for the next photo
            return None;
        }
        let mut s = state.borrow_mut();
        let partner = s.partner.as_mut()?;
        let total = cleaning.progress().1;
        {
            let inbox = partner.inbox.borrow();
            if inbox.dead || !inbox.loaded.iter().any(|m| m == model) || total < 2 {
                return None;
            }
        }
        let share = cleaning.share(total.div_ceil(2));
        let id = partner.next_id;
        partner.next_id += 1;
        partner.inbox.borrow_mut().news.insert(id, News::default());
        partner.send(ToPartner::Clean { id, model: model.to_string(), share: share.clone() });
        Some((id, share))
    }

    /// Tiles the partner has cleaned of share `request`.
    fn done(state: &Rc<RefCell<State>>, request: Option<RequestId>) -> usize {
        let s = state.borrow();
        let inbox = s.partner.as_ref().map(|p| p.inbox.borrow());
        request.and_then(|r| inbox?.news.get(&r).map(|n| n.done)).unwrap_or(0)
    }

    fn cancel(state: &Rc<RefCell<State>>, request: Option<RequestId>) {
        let s = state.borrow();
        if let (Some(partner), Some(request)) = (s.partner.as_ref(), request) {
            partner.inbox.borrow_mut().news.remove(&request);
            partner.send(ToPartner::Cancel { id: request });
        }
    }
}

fn post_to(worker: &web_sys::Worker, message: &ToPartner) {
    let bytes = Uint8Array::from(protocol::encode(message).as_slice());
    let _ = worker.post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()));
}

thread_local! {
    /// One channel for [`yield_to_messages`]: a message through it is queued behind those
    /// already sent to the worker; each wakes the oldest waiter.
    static YIELD: Option<(web_sys::MessagePort, Rc<RefCell<std::collections::VecDeque<js_sys::Function>>>)> = {
        let channel = web_sys::MessageChannel::new().ok();
        channel.map(|channel| {
            let waiting = Rc::new(RefCell::new(std::collections::VecDeque::<js_sys::Function>::new()));
            let wake = {
                let waiting = waiting.clone();
                Closure::<dyn Fn()>::new(move || {
                    if let Some(resolve) = waiting.borrow_mut().pop_front() {
                        let _ = resolve.call0(&JsValue::NULL);
                    }
                })
            };
            channel.port1().set_onmessage(Some(wake.as_ref().unchecked_ref()));
            wake.forget(); // lives as long as the worker
            (channel.port2(), waiting)
        })
    };
}

/// Resolves once the messages already queued for this worker have been handled (a timer would
/// do too, but is clamped to 4 ms once nested).
async fn yield_to_messages() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        YIELD.with(|y| match y {
            Some((port, waiting)) => {
                waiting.borrow_mut().push_back(resolve);
                let _ = port.post_message(&JsValue::NULL);
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        })
    });
    let _ = JsFuture::from(promise).await;
}
