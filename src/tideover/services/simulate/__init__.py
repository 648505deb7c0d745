"""Policy impact simulation on a platform's stored book, the review's simulation of a
submitted version, and the analysis of the experiments the daily cycle runs."""
