"""Decision algorithms (docs/spec.md §8): pure, typed, exact where it matters, no I/O.

- ``apportionment``: ``apportion(populations, seats, method, minimum=, maximum=)`` (Hamilton,
  D'Hondt, Sainte-Laguë, Huntington–Hill), ``minimum_plus_proportional``, ``by_population_bands``.
- ``delegation``: ``split_by_segment`` (parity-safe), ``elect_delegation`` / ``check_composition``
  (gender and quota groups, explained), ``free_conference_seats``.
- ``ballots``: ``Ballot``, ``Profile``, ``PairwiseMatrix`` (additive), ``pairwise_matrix``.
- ``ballot_files``: ``parse_ballot_file(text, format)`` for PrefLib soc/soi/toc, BLT and CSV.
- ``tally``: ``tally(profile, method, seats=)`` and ``rank_matrix(matrix, method)``.
- ``ranking``: ``weighted_borda(sources)``, ``rank_by_pairwise(matrices_with_weights, method)``.
- ``lottery``: ``draw_panel(size, quotas, pool, seed=, method=)`` over sortition-algorithms.
- ``clustering``: ``score(a, b)``, ``cluster(items, threshold)``, ``DuplicateIndex``.
"""
