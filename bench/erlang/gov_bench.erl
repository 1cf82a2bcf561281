%% The OTP anchor for `npm run bench`: the same workloads as bench/suites/*.ts, on gen_statem. bench/run.ts
%% compiles this into a temporary directory and runs one suite per VM:
%%   erl +S 1 +P 4000000 -noshell -pa DIR -s gov_bench main SUITE
%% Each figure is printed as one line: "RESULT <suite> <name> <value> <unit>".
-module(gov_bench).
-behaviour(gen_statem).
-export([main/1, init/1, callback_mode/0, handle_event/4]).

-define(TIMER_MS, 1000).

main([Suite]) ->
    try
        run(Suite)
    catch
        Class:Reason:Stack ->
            io:format("ERROR ~p:~p ~p~n", [Class, Reason, Stack])
    end,
    halt().

%% ---- the machines ----

callback_mode() -> handle_event_function.

init(counter) -> {ok, idle, 0};
init(idle) -> {ok, idle, 0};
init(armed) -> {ok, idle, 0, [{state_timeout, 3600000, fire}]};
init({timer, Parent, I}) ->
    Due = now_ns() + ?TIMER_MS * 1000000,
    {ok, waiting, {Parent, I, Due}, [{state_timeout, ?TIMER_MS, fire}]};
init({gate, Parent, N}) -> {ok, closed, {Parent, N, 0, 0}}.

%% counter (cast, call)
handle_event(cast, inc, idle, N) when is_integer(N) -> {keep_state, N + 1};
handle_event({call, From}, get, _, N) when is_integer(N) -> {keep_state_and_data, [{reply, From, N}]};
%% timer
handle_event(state_timeout, fire, waiting, {Parent, I, Due} = D) ->
    Parent ! {late, I, now_ns() - Due},
    {next_state, done, D};
%% gate (postpone)
handle_event({call, From}, sync, _, _) -> {keep_state_and_data, [{reply, From, ok}]};
handle_event({call, From}, count, _, {_, _, C, _}) -> {keep_state_and_data, [{reply, From, C}]};
handle_event(cast, open, closed, {Parent, N, C, _}) -> {next_state, open, {Parent, N, C, now_ns()}};
handle_event(cast, item, closed, _) -> {keep_state_and_data, [postpone]};
handle_event(cast, item, open, {Parent, N, C, T0}) ->
    C1 = C + 1,
    case C1 of
        N -> Parent ! {replayed, now_ns() - T0};
        _ -> ok
    end,
    {keep_state, {Parent, N, C1, T0}};
handle_event(_, _, _, _) -> keep_state_and_data.

%% ---- suites ----

run(cast) ->
    N = 500000,
    _ = cast_rep(N),
    result(cast, throughput, median([cast_rep(N) || _ <- [1, 2, 3]]), 'events/s');
run(call) ->
    N = 100000,
    {ok, P} = gen_statem:start(?MODULE, counter, []),
    _ = call_rep(P, N, 5000),
    result(call, round_trip, median([call_rep(P, N, 5000) || _ <- [1, 2, 3]]), us),
    result(call, round_trip_infinity, median([call_rep(P, N, infinity) || _ <- [1, 2, 3]]), us),
    gen_statem:stop(P);
run(spawn) ->
    N = 100000,
    _ = spawn_rep(N),
    result(spawn, rate, median([spawn_rep(N) || _ <- [1, 2, 3]]), 'procs/s');
run(timers) ->
    N = 100000,
    Self = self(),
    %% Lateness reports go to a separate collector: arriving in this process's mailbox while it is still
    %% starting machines, they would slow down every start's selective receive of the init ack.
    Collector = spawn_link(fun() -> Self ! {lates, collect_late(N, [])} end),
    T0 = now_ns(),
    Pids = [start(?MODULE, {timer, Collector, I}) || I <- lists:seq(1, N)],
    T1 = now_ns(),
    Lates = lists:sort([L / 1.0e6 || L <- receive {lates, Ls} -> Ls end]),
    result(timers, setup, (T1 - T0) / 1.0e9, s),
    result(timers, late_mean, lists:sum(Lates) / N, ms),
    result(timers, late_p99, lists:nth(max(1, ceil(0.99 * N)), Lates), ms),
    kill_all(Pids);
run(memory) ->
    result(memory, idle_100k, mem(idle, 100000, processes) / 100000, 'B/proc'),
    result(memory, idle_1m, mem(idle, 1000000, processes) / 1000000, 'B/proc'),
    result(memory, timers_1m, mem(armed, 1000000, total) / 1048576, 'MiB');
run(postpone) ->
    N = 100000,
    _ = gate_rep(N),
    Reps = [gate_rep(N) || _ <- [1, 2, 3]],
    result(postpone, replay, median([R || {_, R} <- Reps]), ms),
    result(postpone, postpone_phase, median([P || {P, _} <- Reps]), ms).

cast_rep(N) ->
    {ok, P} = gen_statem:start(?MODULE, counter, []),
    erlang:garbage_collect(),
    T0 = now_ns(),
    cast_n(P, N),
    N = gen_statem:call(P, get, infinity),
    T1 = now_ns(),
    gen_statem:stop(P),
    N / ((T1 - T0) / 1.0e9).

cast_n(_, 0) -> ok;
cast_n(P, K) -> gen_statem:cast(P, inc), cast_n(P, K - 1).

call_rep(P, N, Timeout) ->
    erlang:garbage_collect(),
    T0 = now_ns(),
    0 = call_n(P, N, Timeout, 0),
    T1 = now_ns(),
    (T1 - T0) / 1000 / N.

call_n(_, 0, _, Acc) -> Acc;
call_n(P, K, Timeout, Acc) -> call_n(P, K - 1, Timeout, Acc + gen_statem:call(P, get, Timeout)).

spawn_rep(N) ->
    erlang:garbage_collect(),
    T0 = now_ns(),
    Pids = [start(?MODULE, idle) || _ <- lists:seq(1, N)],
    T1 = now_ns(),
    N = length(Pids),
    kill_all(Pids),
    N / ((T1 - T0) / 1.0e9).

gate_rep(N) ->
    {ok, P} = gen_statem:start(?MODULE, {gate, self(), N}, []),
    erlang:garbage_collect(),
    T0 = now_ns(),
    [gen_statem:cast(P, item) || _ <- lists:seq(1, N)],
    ok = gen_statem:call(P, sync, infinity),
    T1 = now_ns(),
    gen_statem:cast(P, open),
    Replay = receive {replayed, Ns} -> Ns end,
    N = gen_statem:call(P, count, infinity),
    gen_statem:stop(P),
    {(T1 - T0) / 1.0e6, Replay / 1.0e6}.

%% Bytes added to erlang:memory(Kind) by N processes started with Arg (the pid list is counted too).
mem(Arg, N, Kind) ->
    erlang:garbage_collect(),
    M0 = erlang:memory(Kind),
    Pids = [start(?MODULE, Arg) || _ <- lists:seq(1, N)],
    erlang:garbage_collect(),
    M1 = erlang:memory(Kind),
    N = length(Pids),
    kill_all(Pids),
    M1 - M0.

start(Mod, Arg) ->
    {ok, P} = gen_statem:start(Mod, Arg, []),
    P.

collect_late(0, Acc) -> Acc;
collect_late(K, Acc) -> receive {late, _, L} -> collect_late(K - 1, [L | Acc]) end.

kill_all(Pids) ->
    Refs = [monitor(process, P) || P <- Pids],
    [exit(P, kill) || P <- Pids],
    [receive {'DOWN', R, process, _, _} -> ok end || R <- Refs],
    ok.

now_ns() -> erlang:monotonic_time(nanosecond).

median(Xs) ->
    S = lists:sort(Xs),
    L = length(S),
    case L rem 2 of
        1 -> lists:nth(L div 2 + 1, S);
        0 -> (lists:nth(L div 2, S) + lists:nth(L div 2 + 1, S)) / 2
    end.

result(Suite, Name, Value, Unit) ->
    io:format("RESULT ~s ~s ~.6f ~s~n", [Suite, Name, float(Value), Unit]).
