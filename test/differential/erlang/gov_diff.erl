%% Differential testing of Governess against real OTP gen_statem.
%%
%% gov_diff is a gen_statem (handle_event_function, plus state_enter when the program asks for it) whose callbacks
%% interpret a data-driven program (test/differential/scenario.ts), and a runner that reads scenarios with
%% file:consult, runs every scenario concurrently (one runner process per scenario), and writes one trace line per
%% callback invocation, the reply each call got, and the final state or exit reason.
%%
%% Usage: erl -noshell -pa Dir -eval 'gov_diff:main("scenarios.terms", "out.txt", 160)' -s init stop
%%
%% Output lines: "<scenario>\t<trace line>"; a last line "#wall <ms>".
-module(gov_diff).
-behaviour(gen_statem).

-export([main/3]).
-export([callback_mode/0, init/1, handle_event/4, terminate/3]).

-define(BUDGET, 60).
-define(STAGGER_MS, 3).

%% ---------------------------------------------------------------------------------------------------------------
%% Runner

main(In, Out, Unit) ->
    logger:set_primary_config(level, none),
    %% Load every module a scenario uses before any scenario starts: loading on first use is serialised through
    %% the code server and would delay some machines by tens of ms, skewing them against their script's clock.
    [{module, _} = code:ensure_loaded(M) || M <- [gen_statem, gen, proc_lib, sys, timer, lists, maps, io_lib]],
    T0 = erlang:monotonic_time(millisecond),
    {ok, Scenarios} = file:consult(In),
    Self = self(),
    %% Scenarios start STAGGER_MS apart: starting hundreds of machines at one instant keeps the schedulers busy for
    %% tens of ms, so some machines would handle their first events (and arm their timers) late against their
    %% script's clock. Once started, they run concurrently.
    Base = T0 + 50,
    Pids = [
        spawn(fun() ->
            sleep_until(Base + I * ?STAGGER_MS),
            Self ! {done, self(), run_scenario(Sc, Unit)}
        end)
     || {I, Sc} <- lists:zip(lists:seq(0, length(Scenarios) - 1), Scenarios)
    ],
    Results = [receive {done, P, R} -> R end || P <- Pids],
    Wall = erlang:monotonic_time(millisecond) - T0,
    Lines = [[Name, $\t, L, $\n] || {Name, Ls} <- Results, L <- Ls],
    ok = file:write_file(Out, [Lines, io_lib:format("#wall ~w~n", [Wall])]),
    ok.

run_scenario(#{name := Name, program := Prog, script := Script}, Unit) ->
    %% start_monitor: the machine may stop in its first enter call, before a separate monitor could be set.
    {ok, {Pid, Mref}} = gen_statem:start_monitor(?MODULE, {Prog, self(), Unit}, []),
    %% Time 0 is when init has run (its timeouts are armed inside start).
    T0 = erlang:monotonic_time(millisecond),
    Reqs = run_steps(Script, Pid, T0, Unit, 0, []),
    %% sys:get_state is answered after every earlier message, so every reply sent so far is in our mailbox; if the
    %% machine is gone, its DOWN arrives after everything it sent. Replies are collected before the kill.
    {Final, Replies} =
        case catch sys:get_state(Pid, infinity) of
            {State, #{n := N, log := Log, saved := Saved}} ->
                Rs = replies(Reqs),
                exit(Pid, kill),
                {fmt("final ~w n=~w log=~w saved=~w", [State, N, Log, length(Saved)]), Rs};
            _ ->
                receive
                    {'DOWN', Mref, process, Pid, Reason} -> {fmt("exit ~s", [show_reason(Reason)]), replies(Reqs)}
                end
        end,
    Traces = collect_traces(),
    {atom_to_list(Name), Traces ++ Replies ++ [Final]}.

run_steps([], _Pid, _T0, _Unit, _Now, Reqs) ->
    Reqs;
run_steps([Step | Rest], Pid, T0, Unit, Now, Reqs) ->
    case Step of
        #{s := call, id := Id, content := C} ->
            ReqId = gen_statem:send_request(Pid, C),
            run_steps(Rest, Pid, T0, Unit, Now, [{Id, ReqId} | Reqs]);
        #{s := cast, content := C} ->
            gen_statem:cast(Pid, C),
            run_steps(Rest, Pid, T0, Unit, Now, Reqs);
        #{s := info, content := C} ->
            Pid ! C,
            run_steps(Rest, Pid, T0, Unit, Now, Reqs);
        #{s := advance, units := U} ->
            Now1 = Now + U,
            %% Sleep until an absolute target so that several advances do not accumulate drift.
            sleep_until(T0 + round(Now1 * Unit)),
            run_steps(Rest, Pid, T0, Unit, Now1, Reqs);
        #{s := stop} ->
            catch gen_statem:stop(Pid),
            run_steps(Rest, Pid, T0, Unit, Now, Reqs)
    end.

sleep_until(T) -> timer:sleep(max(0, T - erlang:monotonic_time(millisecond))).

replies(Reqs) -> [fmt("reply ~w ~s", [Id, response(ReqId)]) || {Id, ReqId} <- lists:reverse(Reqs)].

response(ReqId) ->
    case gen_statem:receive_response(ReqId, 0) of
        {reply, R} -> fmt("~w", [R]);
        timeout -> "none";
        {error, _} -> "error"
    end.

collect_traces() ->
    receive
        {gov_trace, L} -> [L | collect_traces()]
    after 0 -> []
    end.

%% An error exit is {Reason, Stacktrace}; gen_statem's own reasons are {Tag, Offender}: show "crash:Tag".
show_reason(R) when is_atom(R) -> atom_to_list(R);
show_reason({{Tag, _}, St}) when is_atom(Tag), is_list(St) -> "crash:" ++ atom_to_list(Tag);
show_reason({Tag, St}) when is_atom(Tag), is_list(St) -> "crash:" ++ atom_to_list(Tag);
show_reason(R) -> fmt("~w", [R]).

fmt(F, A) -> lists:flatten(io_lib:format(F, A)).

%% ---------------------------------------------------------------------------------------------------------------
%% The interpreting gen_statem. Process dictionary: gov_prog, gov_runner, gov_unit, gov_k (callback count).

callback_mode() ->
    case get(gov_enter) of
        true -> [handle_event_function, state_enter];
        _ -> handle_event_function
    end.

init({Prog = #{init := Init, stateEnter := Enter}, Runner, Unit}) ->
    put(gov_prog, Prog),
    put(gov_runner, Runner),
    put(gov_unit, Unit),
    put(gov_enter, Enter),
    put(gov_k, 0),
    State = maps:get(state, Init),
    N = maps:get(n, Init, 0),
    Data = #{n => N, log => [], saved => []},
    trace(fmt("init ~w n=~w", [State, N])),
    Actions = [A || Spec <- maps:get(actions, Init, []), A <- action(Spec, init, Data)],
    {ok, State, Data, Actions}.

terminate(_Reason, _State, _Data) -> ok.

trace(Line) -> get(gov_runner) ! {gov_trace, Line}.

handle_event(Type, Content, State, Data = #{n := N}) ->
    K = get(gov_k) + 1,
    put(gov_k, K),
    {TypeKey, From} = type_key(Type),
    Show = fmt("~w ~s ~w n=~w -> ", [State, TypeKey, Content, N]),
    case K > ?BUDGET of
        true ->
            trace(Show ++ "budget"),
            {stop, budget};
        false ->
            #{rules := Rules} = get(gov_prog),
            case match(Rules, 0, State, TypeKey, Content, N) of
                none ->
                    trace(Show ++ "default"),
                    keep_state_and_data;
                {I, Result} ->
                    trace(Show ++ fmt("r~w", [I])),
                    result(Result, From, Content, Data)
            end
    end.

type_key({call, From}) -> {"call", From};
type_key({timeout, Name}) -> {"timeout:" ++ atom_to_list(Name), none};
type_key(T) -> {atom_to_list(T), none}.

match([], _I, _S, _T, _C, _N) ->
    none;
match([R = #{state := SP, type := TP, content := CP, result := Res} | Rest], I, S, T, C, N) ->
    Ok =
        pat(SP, S) andalso (TP =:= '_' orelse atom_to_list(TP) =:= T) andalso pat(CP, C) andalso
            N < maps:get(nBelow, R, infinity) andalso
            (not maps:is_key(nAtLeast, R) orelse N >= maps:get(nAtLeast, R)),
    case Ok of
        true -> {I, Res};
        false -> match(Rest, I + 1, S, T, C, N)
    end.

pat('_', _) -> true;
pat(P, V) -> P =:= V.

result(Res = #{r := R}, From, Content, Data) ->
    D1 = lists:foldl(fun(Op, D) -> op(Op, D, From, Content) end, Data, maps:get(ops, Res, [])),
    Acts = fun() -> [A || Spec <- maps:get(actions, Res, []), A <- action(Spec, From, Data)] end,
    case R of
        next_state -> {next_state, maps:get(state, Res), D1, Acts()};
        keep_state -> {keep_state, D1, Acts()};
        keep_state_and_data -> {keep_state_and_data, Acts()};
        repeat_state -> {repeat_state, D1, Acts()};
        repeat_state_and_data -> {repeat_state_and_data, Acts()};
        stop -> {stop, maps:get(reason, Res), D1};
        stop_and_reply ->
            Replies = [A || Spec <- maps:get(replies, Res), A <- action(Spec, From, Data)],
            {stop_and_reply, maps:get(reason, Res), Replies, D1}
    end.

op(inc, D = #{n := N}, _From, _C) -> D#{n := N + 1};
op(log, D = #{log := L}, _From, C) -> D#{log := L ++ [C]};
op(save, D = #{saved := S}, From, _C) when From =/= none, From =/= init -> D#{saved := S ++ [From]};
op(save, D, _From, _C) -> D;
op(forget, D, _From, _C) -> D#{saved := []}.

%% Translates one action spec into gen_statem actions (a list: reply_saved may give several, reply none).
action(#{a := reply, value := V}, From, _Data) ->
    case From of
        none -> [];
        init -> [];
        _ -> [{reply, From, V}]
    end;
action(#{a := reply_saved, value := V}, _From, #{saved := Saved}) ->
    [{reply, F, V} || F <- Saved];
action(#{a := postpone}, _From, _Data) ->
    [postpone];
action(#{a := next_event, type := T, content := C}, _From, _Data) ->
    [{next_event, T, C}];
action(A = #{a := timeout, time := T, content := C}, _From, _Data) ->
    Time =
        case T of
            infinity -> infinity;
            _ -> T * get(gov_unit)
        end,
    [{timer(A), Time, C}];
action(A = #{a := cancel}, _From, _Data) ->
    [{timer(A), cancel}];
action(A = #{a := update, content := C}, _From, _Data) ->
    [{timer(A), update, C}].

timer(#{kind := event}) -> timeout;
timer(#{kind := state}) -> state_timeout;
timer(#{kind := generic, name := Name}) -> {timeout, Name}.
