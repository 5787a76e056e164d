package dev.jrnn.backend;

/** The recurrent cell kinds a backend may run as one fused whole-sequence launch. */
public enum RecurrentCell { SIMPLE_RNN, LSTM, GRU }
